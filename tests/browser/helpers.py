"""What a person does in the reader, as Playwright steps."""

from playwright.sync_api import Page, expect

# Finds `phrase` in the text under `selector` and returns the screen points of
# its logical start and end: for an Arabic letter the start edge is its right
# side, for a Latin one its left side.
_PHRASE_POINTS = """([selector, phrase]) => {
  const root = document.querySelector(selector);
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const index = node.data.indexOf(phrase);
    if (index < 0) continue;
    node.parentElement.scrollIntoView({ block: "center" });
    const box = (at) => { const r = document.createRange(); r.setStart(node, at); r.setEnd(node, at + 1); return r.getClientRects()[0]; };
    const rtl = (at) => /[\\u0590-\\u08ff\\ufb50-\\ufefc]/.test(node.data[at]);
    const first = box(index), last = box(index + phrase.length - 1);
    return {
      start: { x: rtl(index) ? first.right - 1 : first.left + 1, y: first.top + first.height / 2 },
      end: { x: rtl(index + phrase.length - 1) ? last.left + 1 : last.right - 1, y: last.top + last.height / 2 },
    };
  }
  return null;
}"""


def drag_select(page: Page, selector: str, phrase: str) -> None:
    """Select `phrase` with the mouse, as a person drags across it."""
    points = page.evaluate(_PHRASE_POINTS, [selector, phrase])
    assert points, f"{phrase!r} is not in {selector}"
    page.mouse.move(points["start"]["x"], points["start"]["y"])
    page.mouse.down()
    page.mouse.move(points["end"]["x"], points["end"]["y"], steps=8)
    page.mouse.up()


API = "**/api/v1/**"

# A request of the page's own to the API: "blocked" once the route is in force.
_API_BLOCKED = """() => fetch("/api/v1/", { credentials: "same-origin" }).then(() => "through", () => "blocked")"""


def block_api(page: Page) -> None:
    """The server stops answering the page's API requests: every one fails as
    a network error. Returns once a request of the page's own has failed, so
    the next step's save cannot slip out before the block is in force."""
    page.route(API, lambda route: route.abort())
    for _ in range(50):
        if page.evaluate(_API_BLOCKED) == "blocked":
            return
        page.wait_for_timeout(100)
    raise AssertionError("the API route block did not take effect")


def unblock_api(page: Page) -> None:
    page.unroute(API)


def reader_ready(page: Page) -> None:
    expect(page.locator("body[data-reader-ready]")).to_have_count(1)


def wait_saved(page: Page) -> None:
    expect(page.locator("#save-status")).to_have_attribute("data-state", "saved", timeout=15_000)


def mark_new_claim(page: Page, selector: str, phrase: str, claim_text: str) -> None:
    drag_select(page, selector, phrase)
    expect(page.locator("#popover")).to_be_visible()
    page.keyboard.type(claim_text)
    expect(page.locator("#claim-options .create")).to_contain_text(claim_text)
    page.keyboard.press("Enter")

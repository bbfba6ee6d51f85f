// The shortcut a key press means, whatever the keyboard layout. With an
// Arabic layout the key marked J types "ت" and the one marked ? types "؟":
// event.key is that letter, so a shortcut is also found by the key's place
// (event.code), as the help lists it. Keys that type Latin letters, digits or
// named keys (Enter, Delete…) are taken as they are.

const BY_CODE = { BracketLeft: "[", BracketRight: "]", Slash: "/", Period: ".", Comma: "," };
const SHIFTED = { Slash: "?" };

export function shortcutKey(event) {
  const key = event.key;
  if (key.length !== 1 || /[\x20-\x7e]/.test(key)) return key;
  const arabicDigit = "٠١٢٣٤٥٦٧٨٩".indexOf(key);
  if (arabicDigit !== -1) return String(arabicDigit);
  const code = event.code || "";
  if (event.shiftKey && SHIFTED[code]) return SHIFTED[code];
  if (/^Key[A-Z]$/.test(code)) return code.slice(3).toLowerCase();
  if (/^Digit[0-9]$/.test(code)) return code.slice(5);
  return BY_CODE[code] || key;
}

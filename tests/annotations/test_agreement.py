"""Agreement figures against worked, published examples."""

import pytest

from annotations.services.agreement import cohen_kappa, fleiss_kappa, krippendorff_alpha, span_f1


def test_cohens_kappa_on_the_textbook_two_by_two_table():
    # Wikipedia "Cohen's kappa", first worked example: 50 proposals, A and B
    # both yes 20, A yes B no 5, A no B yes 10, both no 15 → κ = 0.4.
    pairs = [("yes", "yes")] * 20 + [("yes", "no")] * 5 + [("no", "yes")] * 10 + [("no", "no")] * 15
    assert cohen_kappa(pairs) == pytest.approx(0.4)


def test_fleiss_kappa_on_fleiss_worked_example():
    # Wikipedia "Fleiss' kappa" worked example: 10 subjects, 14 raters, 5 categories → κ ≈ 0.210.
    table = [
        [0, 0, 0, 0, 14], [0, 2, 6, 4, 2], [0, 0, 3, 5, 6], [0, 3, 9, 2, 0], [2, 2, 8, 1, 1],
        [7, 7, 0, 0, 0], [3, 2, 6, 3, 0], [2, 5, 3, 2, 2], [6, 5, 2, 1, 0], [0, 2, 2, 3, 7],
    ]
    items = [[str(category) for category, count in enumerate(row) for _ in range(count)] for row in table]
    assert fleiss_kappa(items) == pytest.approx(0.210, abs=0.0005)


def test_krippendorffs_alpha_on_krippendorffs_own_example_with_missing_values():
    # Krippendorff, "Computing Krippendorff's Alpha-Reliability" (2011), nominal
    # data, 4 observers, 12 units with missing values → α = 0.743.
    observers = [
        [1, 2, 3, 3, 2, 1, 4, 1, 2, None, None, None],
        [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, None, 3],
        [None, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, None],
        [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, None],
    ]
    items = [[str(row[unit]) for row in observers if row[unit] is not None] for unit in range(12)]
    assert krippendorff_alpha(items) == pytest.approx(0.743, abs=0.0005)


def test_figures_that_are_not_defined_say_so():
    assert cohen_kappa([]) is None
    # One label throughout: chance agreement is total, so kappa and alpha are 0/0 (NLTK would say 1.0).
    assert cohen_kappa([("agree", "agree")] * 5) is None
    assert fleiss_kappa([["agree", "agree"]]) is None and krippendorff_alpha([["agree", "agree"]]) is None
    assert fleiss_kappa([["agree", "discuss"], ["agree"]]) is None  # unequal ratings per item
    assert krippendorff_alpha([["agree"]]) is None


def test_span_f1_exact_and_overlapping():
    a = [(0, 0, 10), (0, 20, 30), (1, 5, 9)]
    b = [(0, 0, 10), (0, 22, 35), (2, 5, 9)]
    assert span_f1(a, b) == pytest.approx(2 * 1 / 6)
    assert span_f1(a, b, overlap=True) == pytest.approx(2 * 2 / 6)  # (0,20,30)~(0,22,35); other text differs
    # One long span overlapping two short ones counts once.
    assert span_f1([(0, 0, 30)], [(0, 0, 5), (0, 10, 15)], overlap=True) == pytest.approx(2 * 1 / 3)
    assert span_f1([], []) is None

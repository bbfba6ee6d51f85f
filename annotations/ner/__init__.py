"""Arabic named-entity recognition that works offline.

A CRF (python-crfsuite) over affix, shape, context and gazetteer features,
trained on ANERcorp (CAMeL Lab train split); gazetteers come from CLDR (via
Babel) and ISO 3166 (via pycountry); clitics are peeled off entity spans by
rule. See docs/entity-extraction.md.
"""

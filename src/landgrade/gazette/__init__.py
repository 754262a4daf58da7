"""Stage 1, the gazette: a county folder's tables and texts, read and validated.

Price tables and connotation (:mod:`pricebook`, their records and cell checks in
:mod:`price_records`), the grade-zone grammar (``grammar.lark``)
and its parser (:mod:`parse`) into plain rules (:mod:`rules`), feature names (:mod:`names`)
and the interface words of every output (:mod:`labels`).
"""

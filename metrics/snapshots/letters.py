"""The one-letter code of each SPC point type, as SeriesSummary.points["types"] stores it."""

from .. import spc

TYPE_LETTERS = dict(zip(spc.POINT_TYPES, "cICN", strict=True))
LETTER_TYPES = {letter: name for name, letter in TYPE_LETTERS.items()}

import unicodedata

import pytest

from braid.children.normalize import clean_text, id_key, mask, name_key


class TestCleanText:
    def test_it_trims_and_collapses_every_kind_of_whitespace(self):
        assert clean_text("  Ana\u00a0\u00a0María \t Ruiz\n") == "Ana María Ruiz"

    def test_it_keeps_case_and_spelling(self):
        assert clean_text("McAllister-DÍAZ") == "McAllister-DÍAZ"

    def test_it_composes_accents(self):
        decomposed = unicodedata.normalize("NFD", "José")

        assert clean_text(decomposed) == "José"
        assert len(clean_text(decomposed)) == 4

    def test_it_drops_invisible_characters_left_by_copy_and_paste(self):
        assert clean_text("\ufeffLena\u200b") == "Lena"


class TestIdKey:
    def test_it_keeps_leading_zeros(self):
        assert id_key("00123") == "00123"

    def test_it_ignores_case_and_surrounding_space(self):
        assert id_key("  ab-12\u00a0") == id_key("AB-12")

    def test_it_treats_composed_and_decomposed_forms_alike(self):
        assert id_key(unicodedata.normalize("NFD", "É1")) == id_key("é1")

    def test_it_keeps_inner_spaces(self):
        assert id_key("12 34") != id_key("1234")


class TestNameKey:
    @pytest.mark.parametrize(
        "name", ["O\u2019Neil", "O'Neil", "o neil", "O\u2018Neil", "O\u02bcneil"]
    )
    def test_it_treats_apostrophes_as_spaces(self, name):
        assert name_key(name) == "o neil"

    @pytest.mark.parametrize("apostrophe", list("\u2019\u2018\u02bc`\u00b4\u2032'"))
    def test_it_knows_every_kind_of_apostrophe(self, apostrophe):
        assert name_key(f"D{apostrophe}Angelo") == "d angelo"

    @pytest.mark.parametrize(
        "dash", list("\u2010\u2011\u2012\u2013\u2014\u2015\u2212-")
    )
    def test_it_makes_every_dash_a_hyphen(self, dash):
        assert name_key(f"Garcia{dash}Lopez") == "garcia-lopez"

    def test_it_removes_spaces_around_hyphens(self):
        assert name_key("Garcia \u2013 Lopez") == "garcia-lopez"

    def test_it_keeps_accents(self):
        assert name_key("José") == "josé"
        assert name_key("José") != name_key("Jose")

    def test_it_turns_other_punctuation_into_single_spaces(self):
        assert name_key("  St. John,  Jr. ") == "st john jr"


class TestMask:
    @pytest.mark.parametrize(
        ("value", "masked"),
        [
            ("John Smith", "J*** S****"),
            ("02/31/2015", "**/**/****"),
            ("3/7/2015 0:00", "*/*/**** *:**"),
            ("3.4.2015", "*.*.****"),
            ("00123", "*****"),
            ("S901", "S***"),
            ("1", "*"),
            ("A", "*"),
            ("Ana J. Li", "A** *. L*"),
            ("", ""),
            ("Ñuñez-Óla", "Ñ****-Ó**"),
        ],
    )
    def test_it_keeps_only_the_first_letter_of_each_longer_word(self, value, masked):
        assert mask(value) == masked

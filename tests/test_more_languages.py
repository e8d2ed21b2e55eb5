"""Adding a language is a catalogue and a line of config, nothing else: proven here with
Traditional Chinese (a language with a script in its code), built the way the README says."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po, write_po

from tests.helpers import page

ROOT = Path(__file__).resolve().parent.parent
HTML_LANG = re.compile(r'<html lang="([^"]+)">')


def pybabel(*arguments: str) -> None:
    CommandLineInterface().run(["pybabel", "--quiet", *arguments])


def test_a_new_catalogue_and_a_line_of_config_add_a_language(make_app, tmp_path):
    translations = tmp_path / "translations"
    shutil.copytree(ROOT / "translations", translations)
    # The README's steps: a catalogue from the template, translated, compiled.
    pybabel(
        "init", "-i", str(translations / "messages.pot"), "-d", str(translations), "-l", "zh_Hant"
    )
    catalogue_path = translations / "zh_Hant" / "LC_MESSAGES" / "messages.po"
    with catalogue_path.open("rb") as file:
        catalogue = read_po(file)
    catalogue["Sign in to Accelerate: LA"].string = "登入 Accelerate: LA"
    catalogue["Email"].string = "電子郵件"
    with catalogue_path.open("wb") as file:
        write_po(file, catalogue)
    pybabel("compile", "-d", str(translations), "-l", "zh_Hant")
    app = make_app(
        LANGUAGES={"en": "English", "es": "Español", "zh_Hant": "繁體中文"},
        BABEL_TRANSLATION_DIRECTORIES=str(translations),
    )
    client = app.test_client()

    chinese = page(client.get("/auth/login", headers={"Accept-Language": "zh-TW,zh-Hant;q=0.9"}))
    spanish = page(client.get("/auth/login", headers={"Accept-Language": "es"}))

    assert HTML_LANG.findall(chinese) == ["zh-Hant"]
    assert "登入 Accelerate: LA" in chinese and "電子郵件" in chinese
    assert "Password" in chinese  # not translated yet: English, never an empty label
    assert '<strong lang="zh-Hant" aria-current="true">繁體中文</strong>' in chinese
    assert 'name="language" value="zh_Hant" lang="zh-Hant"' in spanish
    assert HTML_LANG.findall(spanish) == ["es"]

"""Nothing a person reads bypasses translation in the source: the literal text of every
template (pages and mail) and the messages the Python code gives people (tests/untranslated.py
says what counts). The pages as rendered are checked by tests/test_pseudo_locale.py."""

from __future__ import annotations

from pathlib import Path

from tests.untranslated import (
    CODE,
    TEMPLATES,
    Untranslated,
    domain_errors,
    problems,
    python_problems,
    template_problems,
)


def listing(found: list[Untranslated]) -> str:
    return "Not translatable (see tests/untranslated.py):\n" + "\n".join(map(str, found))


def test_every_template_text_goes_through_translation():
    found = problems([TEMPLATES])

    assert not found, listing(found)


def test_every_message_the_code_gives_people_goes_through_translation():
    found = problems([CODE])

    assert not found, listing(found)


# The check itself --------------------------------------------------------------------------


def test_the_template_check_finds_text_and_read_attributes_outside_translation(tmp_path):
    page = TEMPLATES / "_check_sample.html"
    page.write_text(
        "{% block title %}{{ _('Home') }}{% endblock %}\n"
        '<p>{{ _("Hello, %(name)s", name=user.name) }}</p>\n'
        "<p>{% trans %}Said {{ n }} times{% endtrans %}</p>\n"
        "<p>{{ count }} ventures</p>\n"
        '<a href="/x" title="Open it">{{ _("Open") }}</a>\n'
        '<code translate="no">stage_changed</code> <span lang="es">Español</span>\n'
        "<script>let words = 'not read';</script> &middot; Accelerate: LA\n",
        encoding="utf-8",
    )
    mail = TEMPLATES / "_check_sample.txt"
    mail.write_text(
        "{% block subject %}{{ _('Your session') }}{% endblock %}\n"
        "{% block body %}Hello {{ name }},\n{{ _('See you.') }}\n{% endblock %}\n",
        encoding="utf-8",
    )
    try:
        in_page = [(problem.line, problem.text) for problem in template_problems(page)]
        in_mail = [(problem.line, problem.text) for problem in template_problems(mail)]
    finally:
        page.unlink()
        mail.unlink()

    assert in_page == [(4, "ventures"), (5, "Open it")]
    assert in_mail == [(2, "Hello …,")]


def test_the_code_check_finds_literal_messages_to_people(tmp_path):
    module = CODE / "_check_sample.py"
    module.write_text(
        "from flask import flash\n"
        "from flask_babel import gettext as _\n"
        "from wtforms import SelectField, StringField, validators\n"
        "from incubator.services.errors import InvalidInput\n"
        "class Form:\n"
        "    name = StringField('Name', [validators.Length(max=5, message='Too long')])\n"
        "    kind = SelectField(_('Kind'), choices=[('a', 'Apple'), ('b', _('Pear'))])\n"
        "def act(n):\n"
        "    flash(_('Saved.'))\n"
        "    flash(f'Saved {n} rows.')\n"
        "    raise InvalidInput('No ' + str(n))\n"
        "def quiet():\n"
        "    raise ValueError('programs read this')\n",
        encoding="utf-8",
    )
    try:
        found = python_problems(module, domain_errors())
    finally:
        module.unlink()

    assert sorted((problem.line, problem.text) for problem in found) == [
        (6, "Name"),
        (6, "Too long"),
        (7, "Apple"),
        (10, "Saved … rows."),
        (11, "No "),
    ]


def test_the_checks_look_at_every_template_and_module():
    assert len(list(TEMPLATES.rglob("*.html"))) > 50
    assert len(list(TEMPLATES.rglob("*.txt"))) > 10
    assert Path(CODE / "services" / "errors.py").exists()

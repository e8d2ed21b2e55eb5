"""Every Flask extension object, created once and bound in create_app; and the count of rows
an UPDATE changed, which the session's typing does not show."""

from typing import cast

from flask_babel import Babel
from flask_bootstrap import Bootstrap5
from flask_compress import Compress
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import CursorResult, Update

from incubator.csrf_tokens import MaskedCSRFProtect
from incubator.models.base import Base

db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = MaskedCSRFProtect()
bootstrap = Bootstrap5()
compress = Compress()
babel = Babel()
limiter = Limiter(key_func=get_remote_address)


def rows_changed(statement: Update) -> int:
    """Run an UPDATE (without RETURNING) in the request's session: how many rows it changed.

    The session is typed to return a plain Result, since it cannot promise a cursor for every
    statement; for an UPDATE it returns a CursorResult, which carries the count.
    """
    return cast(CursorResult, db.session.execute(statement)).rowcount

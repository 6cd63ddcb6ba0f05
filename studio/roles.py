"""The roles a member of an organisation can have (``accounts/policy.py`` says what each may do).

Kept apart from the models so the command line can offer them without importing SQLAlchemy: every
``kstudio build`` builds the command's parser.
"""

ROLES = ("admin", "author", "translator", "reviewer", "publisher")

"""callcenter: a contact-centre backend for electric power utilities' hotlines."""

__version__ = "0.1.0"

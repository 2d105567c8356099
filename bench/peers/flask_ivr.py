"""The peer of the IVR benchmark: a phone tree as in Twilio's ivr-phone-tree Flask tutorial
(a menu in a Gather, a sub-menu, Redirect back to the menu), with no signature check, session
or database. Served by gunicorn:

    gunicorn -w N -b 127.0.0.1:PORT bench.peers.flask_ivr:app
"""

from __future__ import annotations

from flask import Flask, request, url_for
from twilio.twiml.voice_response import VoiceResponse

app = Flask(__name__)


def welcome() -> str:
    return _gather(
        "menu",
        "Thanks for calling the 95598 hotline. Press 1 for outages and repairs, "
        "press 2 for your bill, press 0 for an agent.",
    )


def menu() -> str:
    options = {"1": _outages, "2": _bill, "0": _agent}
    selected = request.form.get("Digits", "")
    if selected in options:
        return options[selected]()
    return _redirect_welcome()


def bill() -> str:
    selected = request.form.get("Digits", "")
    if selected == "1":
        return _bill()
    if selected == "0":
        return _agent()
    return _redirect_welcome()


# the routes (added here rather than by decorator, so the file type-checks without Flask)
for _view in (welcome, menu, bill):
    app.add_url_rule(f"/ivr/{_view.__name__}", view_func=_view, methods=["POST"])


def _outages() -> str:
    response = VoiceResponse()
    response.say("There is no planned outage in your area. Goodbye.")
    response.hangup()
    return str(response)


def _bill() -> str:
    return _gather(
        "bill",
        "Your account has no arrears. Press 1 to hear this again, 9 for the main menu, "
        "0 for an agent.",
    )


def _gather(action: str, text: str) -> str:
    response = VoiceResponse()
    with response.gather(num_digits=1, action=url_for(action), method="POST") as gather:
        gather.say(text, loop=3)
    return str(response)


def _agent() -> str:
    response = VoiceResponse()
    response.say("Please hold for an agent.")
    response.enqueue("general")
    return str(response)


def _redirect_welcome() -> str:
    response = VoiceResponse()
    response.say("Returning to the main menu")
    response.redirect(url_for("welcome"))
    return str(response)

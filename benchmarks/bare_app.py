"""The baseline for the HTTP benchmark: a bare Flask JSON endpoint of similar size.

It parses a JSON body and answers a JSON document of about the size of a
recommendation, under the same gunicorn configuration, so the ratio shows
what shop_reco's own work costs on top of Flask and gunicorn.
"""

from __future__ import annotations

from flask import Flask, jsonify, request

#: About the size of a real answer (12 KB): six exercises, three products, three sections.
ITEM = {
    "slug": "glute-bridge",
    "name": "Glute bridge",
    "kind": "strength",
    "steps": [
        "Lie on your back with knees bent and feet flat.",
        "Squeeze your buttocks and lift your hips.",
        "Hold for a moment at the top.",
        "Lower slowly and rest between repetitions.",
    ],
    "cues": ["Keep your ribs down.", "Press through your heels.", "Breathe out as you lift."],
    "cautions": ["Stop if it hurts sharply.", "Keep the movement small at first."],
    "dose": {
        "sets": 2,
        "reps": 10,
        "hold_seconds": 3,
        "minutes": None,
        "per_side": False,
        "text": "2 sets of 10, with a 3-second pause at the top",
    },
    "summary": "Builds strength in the buttock muscles that hold the pelvis steady and take load off the lower back.",
    "why": [
        {"kind": "phrase", "text": "You mentioned sitting all day", "phrase": "sitting all day", "rule": None},
        {"kind": "rule", "text": "From our advice: Sitting all day", "phrase": None, "rule": "sitting"},
        {"kind": "section", "text": "Explains: Strengthening", "phrase": None, "rule": None},
    ],
}

app = Flask(__name__)


@app.post("/bare")
def bare() -> object:
    body = request.get_json()
    return jsonify(
        {
            "echo": len(body.get("description", "")),
            "exercises": [ITEM] * 6,
            "products": [ITEM] * 3,
            "sections": [ITEM] * 3,
        }
    )

"""The programme's default evaluation questions, Dutch with English (R1, R7, R9–R12, R16).

They follow the programme's goals: the match ("click", Mission), how often the pair met
(Engagement, R9–R10), whether the mentorvraag was addressed (R7), trust (R11), the
network (R12) and what to improve. Coordinators can change them per round in the admin.
"""

from .models import Question

SCALE = Question.Kind.SCALE
SINGLE = Question.Kind.SINGLE_CHOICE
MULTIPLE = Question.Kind.MULTIPLE_CHOICE
OPEN = Question.Kind.OPEN

QUESTIONS = [
    {
        "kind": SCALE,
        "text": "Hoe goed klikte het tussen jou en je mentor of mentee?",
        "text_en": "How well did you click with your mentor or mentee?",
        "scale_low": "helemaal niet",
        "scale_low_en": "not at all",
        "scale_high": "heel goed",
        "scale_high_en": "very well",
        "required": True,
    },
    {
        "kind": SINGLE,
        "text": "Hoe vaak hebben jullie elkaar gemiddeld gesproken?",
        "text_en": "How often did you meet, on average?",
        "options": "Minder dan eens per kwartaal\nEens per kwartaal\nEens per maand\nEens per twee weken of vaker",
        "options_en": "Less than once a quarter\nOnce a quarter\nOnce a month\nEvery two weeks or more often",
        "required": True,
    },
    {
        "kind": MULTIPLE,
        "text": "Hoe hebben jullie elkaar ontmoet?",
        "text_en": "How did you meet?",
        "options": "In persoon\nVirtueel (videogesprek)\nTelefonisch",
        "options_en": "In person\nVirtually (video call)\nBy phone",
        "required": False,
    },
    {
        "kind": SCALE,
        "text": "In hoeverre is er aan de mentorvraag of doelstelling gewerkt?",
        "text_en": "To what extent did you work on the mentoring question or goal?",
        "scale_low": "helemaal niet",
        "scale_low_en": "not at all",
        "scale_high": "volledig",
        "scale_high_en": "fully",
        "required": True,
    },
    {
        "kind": SCALE,
        "text": "Voelde je genoeg vertrouwen om open te praten?",
        "text_en": "Did you feel enough trust to talk openly?",
        "scale_low": "helemaal niet",
        "scale_low_en": "not at all",
        "scale_high": "volledig",
        "scale_high_en": "completely",
        "required": True,
    },
    {
        "kind": SCALE,
        "text": "Heeft het mentorschap je netwerk verbreed?",
        "text_en": "Has the mentorship broadened your network?",
        "scale_low": "helemaal niet",
        "scale_low_en": "not at all",
        "scale_high": "zeker",
        "scale_high_en": "definitely",
        "required": True,
    },
    {
        "kind": SCALE,
        "text": "Hoe waardeer je het mentorprogramma als geheel?",
        "text_en": "How do you rate the mentor programme as a whole?",
        "scale_low": "slecht",
        "scale_low_en": "poor",
        "scale_high": "uitstekend",
        "scale_high_en": "excellent",
        "required": True,
    },
    {
        "kind": OPEN,
        "text": "Wat heeft je het meest opgeleverd?",
        "text_en": "What did you gain most from?",
        "required": False,
    },
    {
        "kind": OPEN,
        "text": "Wat kunnen we verbeteren aan het programma?",
        "text_en": "What could we improve in the programme?",
        "required": False,
    },
]

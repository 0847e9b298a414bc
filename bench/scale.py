"""A reproducible data set at scale, for benchmarks: `python manage.py seed_scale --members N`.

Everything is written with bulk inserts through the models (no signals, no e-mail), from a
seeded random generator, so the same N always gives the same programme. For 10,000 members:

- three cycles: one finished (about 1,900 pairs), one running (about 1,900 pairs) and one in
  matching with about 4,000 applications (2,700 mentees, 1,300 mentors), a tenth matched;
- every pair with its agreement, about 3.4 meetings (one introduction), renewal answers at
  the end of the finished year;
- an evaluation round per past cycle with its invitations (about 5,800), half of them
  answered (receipt and anonymous response);
- outbox rows for every pair and invitation, mostly sent, some waiting or failed.

The counts scale with N. Running it again on the same database changes nothing (the
cycles are its marker); it refuses to run in production (DJANGO_ENV=production).
"""

import datetime
import random
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from accounts.models import Expertise, MeetingPreference, MembershipType, Profile, Region, User, VerificationStatus
from matching.models import Agreement, Application, Cycle, Match, RenewalAnswer, Role
from meetings.models import Meeting, MentorTopic

SEED = 2027
EMAIL_DOMAIN = "schaal.example.org"
CYCLE_NAMES = ("Schaal afgerond", "Schaal lopend", "Schaal koppelen")
TOPICS = [
    "Vennootschapsbelasting",
    "Inkomstenbelasting",
    "Omzetbelasting",
    "Loonbelasting",
    "Internationaal belastingrecht",
    "Transfer pricing",
    "Erf- en schenkbelasting",
    "Douane en accijnzen",
    "Fiscale procespraktijk",
    "Estate planning",
    "Pijler 2",
    "Dividendbelasting",
    "Overdrachtsbelasting",
    "Bedrijfsopvolging",
    "Fiscale due diligence",
    "Tax technology",
    "Fiscale compliance",
    "Lokale heffingen",
    "Milieubelastingen",
    "Pensioenen",
    "Leidinggeven",
    "Ondernemerschap",
    "Werk en privé",
    "Netwerken",
    "Loopbaanontwikkeling",
]
BATCH = 2000
# Early ends spread over the categories a member or coordinator chooses from (issue 27 §2); by position,
# so the random draws (and the rest of the data set) stay as they were.
END_CATEGORIES = ["time", "time", "fit", "fit", "circumstances", "goal_reached", "other"]


@dataclass
class Sizes:
    members: int
    past_mentees: int
    past_mentors: int
    open_mentees: int
    open_mentors: int

    @classmethod
    def for_members(cls, members: int) -> "Sizes":
        def part(fraction):
            return max(2, round(members * fraction))

        return cls(
            members=members,
            past_mentees=part(0.19),
            past_mentors=part(0.10),
            open_mentees=part(0.27),
            open_mentors=part(0.13),
        )


def already_seeded() -> bool:
    return Cycle.objects.filter(name__in=CYCLE_NAMES).exists()


def seed(*, members: int, log=print) -> dict[str, int]:
    """Write the data set; returns how many rows of each kind were made (empty when already there)."""
    if settings.PRODUCTION:
        raise RuntimeError("seed_scale refuses to run in production (DJANGO_ENV=production).")
    if already_seeded():
        return {}
    with transaction.atomic():
        counts = _Seeder(members, log).run()
    # Fresh statistics, as a live database has them: without, the planner guesses one row per table.
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return counts


class _Seeder:
    def __init__(self, members: int, log):
        self.rng = random.Random(SEED)  # noqa: S311 - made-up data, reproducible on purpose
        self.sizes = Sizes.for_members(members)
        self.log = log
        self.counts: dict[str, int] = {}
        self.now = timezone.now()
        self.today = timezone.localdate()

    def _bulk(self, model, objects, **options):
        created = model.objects.bulk_create(objects, batch_size=BATCH, **options)
        label = model._meta.label
        self.counts[label] = self.counts.get(label, 0) + len(objects)
        return created

    def run(self) -> dict[str, int]:
        self.topics = self._topics()
        self.log(f"members: {self.sizes.members}")
        self.users, self.seniors = self._members()
        today = self.today
        finished = self._cycle(CYCLE_NAMES[0], start=today - datetime.timedelta(days=600), status=Cycle.Status.CLOSED)
        running = self._cycle(CYCLE_NAMES[1], start=today - datetime.timedelta(days=150), status=Cycle.Status.RUNNING)
        matching = self._cycle(CYCLE_NAMES[2], start=today + datetime.timedelta(days=30), status=Cycle.Status.MATCHING)
        s = self.sizes
        self.log("applications and pairs")
        finished_pairs = self._pairs(finished, *self._applications(finished, s.past_mentees, s.past_mentors), share=1)
        running_pairs = self._pairs(running, *self._applications(running, s.past_mentees, s.past_mentors), share=1)
        matching_pairs = self._pairs(matching, *self._applications(matching, s.open_mentees, s.open_mentors), share=0.1)
        self.log("agreements, meetings, renewal answers")
        self._agreements(finished_pairs + running_pairs + matching_pairs)
        self._meetings(finished_pairs + running_pairs)
        self._renewal_answers(finished_pairs)
        self.log("evaluation rounds, invitations, responses")
        invitations = self._evaluations(finished, final=True) + self._evaluations(running, final=False)
        self.log("outbox")
        self._outbox(finished_pairs + running_pairs + matching_pairs, invitations)
        return self.counts

    # --- members ------------------------------------------------------------------

    def _topics(self) -> list[int]:
        Expertise.objects.bulk_create([Expertise(name=name) for name in TOPICS], ignore_conflicts=True)
        return list(Expertise.objects.filter(name__in=TOPICS).values_list("pk", flat=True))

    def _members(self):
        rng = self.rng
        regions = Region.values
        organisations = [f"Kantoor {n:03d}" for n in range(300)]
        users = self._bulk(
            User,
            [
                User(
                    email=f"lid{n:06d}@{EMAIL_DOMAIN}",
                    full_name=f"Lid {n:06d}",
                    password="!",  # unusable: benchmarks log in with force_login
                    language="nl" if rng.random() < 0.9 else "en",
                )
                for n in range(self.sizes.members)
            ],
        )
        profiles = []
        seniors = []
        for n, user in enumerate(users):
            years = rng.randint(0, 5) if rng.random() < 0.3 else rng.randint(6, 35)
            if years > 5:
                seniors.append(user)
            profiles.append(
                Profile(
                    user=user,
                    membership_number=f"{90_000_000 + n}"[-8:],
                    membership_type=MembershipType.MEMBER if years > 2 else MembershipType.ASPIRANT,
                    confirms_female_member=True,
                    organisation=rng.choice(organisations),
                    job_title="Belastingadviseur",
                    career_start_year=self.today.year - years,
                    region=rng.choice(regions),
                    meeting_preference=rng.choice(MeetingPreference.values),
                    languages=rng.choices(["Nederlands", "Nederlands, Engels", "Engels"], weights=[80, 18, 2])[0],
                    verification_status=VerificationStatus.VERIFIED,
                    verified_at=self.now,
                )
            )
        profiles = self._bulk(Profile, profiles)
        through = Profile.expertise.through
        self._bulk(
            through,
            [
                through(profile_id=profile.pk, expertise_id=topic)
                for profile in profiles
                for topic in rng.sample(self.topics, rng.randint(0, 3))
            ],
        )
        return users, seniors

    # --- cycles, applications, pairs ----------------------------------------------

    def _cycle(self, name, *, start, status) -> Cycle:
        cycle = Cycle(
            name=name,
            applications_open=start - datetime.timedelta(days=90),
            applications_close=start - datetime.timedelta(days=30),
            planned_start=start,
            status=status,
        )
        cycle.full_clean()
        cycle.save()
        return cycle

    def _applications(self, cycle, mentee_count, mentor_count):
        rng = self.rng
        mentors = rng.sample(self.seniors, min(mentor_count, len(self.seniors)))
        taken = {user.pk for user in mentors}
        mentees = rng.sample([user for user in self.users if user.pk not in taken], mentee_count)
        created = self._bulk(
            Application,
            [
                Application(
                    cycle=cycle,
                    member=user,
                    role=role,
                    mentoring_question="Hoe groei ik door naar een leidinggevende rol?" if role == Role.MENTEE else "",
                    meeting_preference=rng.choice(MeetingPreference.values),
                    prefers_same_region=role == Role.MENTEE and rng.random() < 0.4,
                    allow_same_organisation=role == Role.MENTEE and rng.random() < 0.2,
                    capacity=rng.choice([1, 2, 2, 2, 3]) if role == Role.MENTOR else 1,
                    created_at=self.now - datetime.timedelta(minutes=rng.randint(1, 100_000)),
                )
                for role, group in ((Role.MENTOR, mentors), (Role.MENTEE, mentees))
                for user in group
            ],
        )
        through = Application.topics.through
        self._bulk(
            through,
            [
                through(application_id=application.pk, expertise_id=topic)
                for application in created
                for topic in rng.sample(self.topics, rng.randint(1, 4))
            ],
        )
        return created[: len(mentors)], created[len(mentors) :]

    def _pairs(self, cycle, mentor_applications, mentee_applications, *, share) -> list[Match]:
        rng = self.rng
        places = [a for a in mentor_applications for _ in range(a.capacity)]
        rng.shuffle(places)
        wanted = min(len(places), round(len(mentee_applications) * share))
        if cycle.status == Cycle.Status.CLOSED:
            status_choices, weights = [Match.Status.COMPLETED, Match.Status.ENDED_EARLY], [92, 8]
        else:
            status_choices, weights = [Match.Status.ACTIVE, Match.Status.ENDED_EARLY], [95, 5]
        start = cycle.planned_start
        end = start + datetime.timedelta(days=365)
        matches = []
        for mentor_application, mentee_application in zip(places[:wanted], mentee_applications, strict=False):
            status = rng.choices(status_choices, weights)[0]
            ended_on, end_category = None, ""
            if status == Match.Status.COMPLETED:
                ended_on = end
            elif status == Match.Status.ENDED_EARLY:
                ended_on = start + datetime.timedelta(days=rng.randint(20, 120))
                end_category = END_CATEGORIES[len(matches) % len(END_CATEGORIES)]
            matches.append(
                Match(
                    cycle=cycle,
                    mentor_id=mentor_application.member_id,
                    mentee_id=mentee_application.member_id,
                    mentor_application=mentor_application,
                    mentee_application=mentee_application,
                    status=status,
                    start_date=start,
                    planned_end=end,
                    ended_on=ended_on,
                    end_reason="Geen klik" if status == Match.Status.ENDED_EARLY else "",
                    end_category=end_category,
                    created_at=self.now - datetime.timedelta(days=max((self.today - start).days, 0) + 20),
                )
            )
        return self._bulk(Match, matches)

    def _agreements(self, matches):
        rng = self.rng
        self._bulk(
            Agreement,
            [
                Agreement(
                    match=match,
                    mission="Doorgroeien naar partner, met aandacht voor netwerk en balans.",
                    mission_agreed_at=self.now,
                    meeting_frequency="Eens per maand",
                    engagement_agreed_at=self.now,
                    trust_confirmed_by_mentor_at=self.now if rng.random() < 0.8 else None,
                    trust_confirmed_by_mentee_at=self.now if rng.random() < 0.8 else None,
                    evaluation_date=match.planned_end - datetime.timedelta(days=30) if match.planned_end else None,
                )
                for match in matches
            ],
        )

    def _meetings(self, matches):
        rng = self.rng
        meetings = []
        tz = timezone.get_current_timezone()
        for match in matches:
            count = rng.choice([2, 3, 3, 4, 4, 5]) if match.status != Match.Status.ENDED_EARLY else 1
            day = match.start_date + datetime.timedelta(days=rng.randint(5, 20))
            for number in range(count):
                starts_at = datetime.datetime.combine(day, datetime.time(rng.choice([9, 12, 16, 19])), tzinfo=tz)
                past = day < self.today
                meetings.append(
                    Meeting(
                        match=match,
                        starts_at=starts_at,
                        duration_minutes=60,
                        mode=rng.choice(Meeting.Mode.values),
                        location="Kantoor van de mentor",
                        status=Meeting.Status.HELD if past else Meeting.Status.PLANNED,
                        is_introduction=number == 0,
                        topics=[MentorTopic.MISSION] if number == 0 else [],
                        created_by_id=match.mentee_id,
                        status_changed_by_id=match.mentee_id if past else None,
                        status_changed_at=starts_at if past else None,
                    )
                )
                day += datetime.timedelta(days=rng.randint(20, 70))
        self._bulk(Meeting, meetings)

    def _renewal_answers(self, matches):
        rng = self.rng
        answers = []
        for match in matches:
            if match.status != Match.Status.COMPLETED or rng.random() > 0.3:
                continue
            for member_id in (match.mentor_id, match.mentee_id):
                answers.append(RenewalAnswer(match=match, member_id=member_id, wants_to_continue=rng.random() < 0.5))
        self._bulk(RenewalAnswer, answers)

    # --- evaluations --------------------------------------------------------------

    def _evaluations(self, cycle, *, final) -> list:
        from evaluations import services as evaluation_services
        from evaluations.models import EvaluationRound, Invitation, Question, Receipt, Response
        from evaluations.selectors import round_participants

        rng = self.rng
        opens = cycle.planned_start + datetime.timedelta(days=330 if final else 120)
        evaluation_round = EvaluationRound(
            cycle=cycle,
            name="Eindevaluatie" if final else "Tussenevaluatie",
            kind=EvaluationRound.Kind.FINAL if final else EvaluationRound.Kind.INTERIM,
            opens_on=min(opens, self.today),
            closes_on=min(opens, self.today) + datetime.timedelta(days=30),
        )
        evaluation_round.save()
        evaluation_services.round_add_default_questions(round=evaluation_round)
        questions = list(evaluation_round.questions.all())
        invitations = self._bulk(
            Invitation,
            [
                Invitation(round=evaluation_round, user_id=user_id, role=role)
                for user_id, role in round_participants(round=evaluation_round)
            ],
        )
        answered = [invitation for invitation in invitations if rng.random() < 0.5]
        self._bulk(Receipt, [Receipt(invitation=invitation) for invitation in answered])
        responses = []
        for invitation in answered:
            answers = {}
            for question in questions:
                if not question.is_asked_of(invitation.role):
                    continue
                options = len(question.option_list("nl"))
                if question.kind == Question.Kind.SCALE:
                    answers[str(question.pk)] = rng.randint(1, 5)
                elif question.kind == Question.Kind.SINGLE_CHOICE:
                    answers[str(question.pk)] = rng.randint(1, options)
                elif question.kind == Question.Kind.MULTIPLE_CHOICE:
                    answers[str(question.pk)] = sorted(rng.sample(range(1, options + 1), rng.randint(1, options)))
                elif rng.random() < 0.3:
                    answers[str(question.pk)] = "Fijne gesprekken, ik heb veel geleerd."
            responses.append(Response(round=evaluation_round, role=invitation.role, answers=answers))
        # Shuffled, so nothing in the order of the rows mirrors the receipts (R14).
        rng.shuffle(responses)
        self._bulk(Response, responses)
        return invitations

    # --- outbox -------------------------------------------------------------------

    def _outbox(self, matches, invitations):
        from notifications.models import OutboxMessage

        rng = self.rng
        status_choices = [OutboxMessage.Status.SENT, OutboxMessage.Status.PENDING, OutboxMessage.Status.FAILED]

        def message(kind, recipient_id, subject_type, subject_id):
            status = rng.choices(status_choices, [94, 4, 2])[0]
            return OutboxMessage(
                kind=kind,
                recipient_id=recipient_id,
                subject_type=subject_type,
                subject_id=subject_id,
                status=status,
                attempts=1 if status != OutboxMessage.Status.PENDING else 0,
                last_error="SMTP 451: probeer later opnieuw" if status == OutboxMessage.Status.FAILED else "",
                sent_at=self.now if status == OutboxMessage.Status.SENT else None,
            )

        rows = []
        for match in matches:
            rows.append(message(OutboxMessage.Kind.MATCH_MENTEE, match.mentee_id, "matching.match", match.pk))
            rows.append(message(OutboxMessage.Kind.MATCH_MENTOR, match.mentor_id, "matching.match", match.pk))
        for invitation in invitations:
            kind = OutboxMessage.Kind.EVALUATION_INVITATION
            rows.append(message(kind, invitation.user_id, "evaluations.invitation", invitation.pk))
        self._bulk(OutboxMessage, rows, ignore_conflicts=True)

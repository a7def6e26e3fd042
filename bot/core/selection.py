"""How many questions of each category one interview asks, and which.

A set holds more questions than an interview has time for (the shipped one 34, marked core
or spare). Setup picks a number per category, by default from the interview's length:

- 10 minutes go to the opening and the candidate's own questions; each question then takes
  about 4 minutes (the answer, a follow-up question or two, the notes), so a length of L
  minutes fits (L - 10) // 4 questions, shared evenly by the set's categories, at least one
  each: per category = max(1, round(fits / categories)).
- For a five-category set: 30 minutes 1 per category, 45 minutes 2 (8 fit), 60 minutes 2
  (12 fit), 90 minutes 4, 120 minutes 5, 180 minutes 8.

In each category the questions asked are the set's core questions first, then its spares,
in the set's order, up to the number; the rest are the interview's spares, shown after the
asked ones, asked if time allows. Pure and deterministic.
"""

from __future__ import annotations

from bot.core.question_sets import Category, QuestionSet

OPENING_AND_CLOSING_MINUTES = 10
MINUTES_PER_QUESTION = 4
PER_CATEGORY_CHOICES = (1, 2, 3, 4, 5, 6, 8, 10)  # what setup offers besides the default


def questions_that_fit(length_minutes: int) -> int:
    """How many questions an interview of this length has time for (at least one)."""
    return max(1, (length_minutes - OPENING_AND_CLOSING_MINUTES) // MINUTES_PER_QUESTION)


def per_category_for_length(length_minutes: int, categories: int) -> int:
    """The default number of questions per category (round half up, at least one)."""
    share = questions_that_fit(length_minutes) / max(1, categories)
    return max(1, int(share + 0.5))


def asked_and_spare(category: Category, per_category: int | None
                    ) -> tuple[list[str], list[str]]:
    """(asked question ids, spare question ids) of a category, each in the set's order.
    None: the set's own marks (a question is a spare when it says spare: true)."""
    questions = category.questions
    if per_category is None:
        return ([q.id for q in questions if not q.spare], [q.id for q in questions if q.spare])
    ranked = [q.id for q in questions if not q.spare] + [q.id for q in questions if q.spare]
    chosen = set(ranked[:max(1, per_category)])
    return ([q.id for q in questions if q.id in chosen],
            [q.id for q in questions if q.id not in chosen])


def as_asked(question_set: QuestionSet, per_category: int | None) -> QuestionSet:
    """The set as one interview asks it: in each category the asked questions first, then
    the spares, each marked `spare`. Ratings are keyed by question id, so the order and the
    marks change nothing but what the kit and the scorecard show."""
    if per_category is None:
        return question_set
    categories = []
    for category in question_set.categories:
        asked, spares = asked_and_spare(category, per_category)
        by_id = {q.id: q for q in category.questions}
        questions = ([by_id[i].model_copy(update={"spare": False}) for i in asked]
                     + [by_id[i].model_copy(update={"spare": True}) for i in spares])
        categories.append(category.model_copy(update={"questions": questions}))
    return question_set.model_copy(update={"categories": categories})

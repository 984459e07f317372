"""The demo's practice scenarios: short written conversations with a reference level and why for every trait.

Written to be read by principals: realistic talk, roles instead of names, and a set that hears each
trait absent, heard and strong, with near-misses (venting that sounds substantive, data mentioned but
never used, logistics) in informal and formal settings. Twelve for the seven traits, six for the four
essentials.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DemoScenario:
    rubric_key: str
    title: str
    setting: str
    lines: tuple[tuple[str, str], ...]
    reference: dict[str, tuple[int, str]]

    def fields(self, school_id: int, rubric_id: int) -> dict:
        return {"school_id": school_id, "rubric_id": rubric_id, "title": self.title, "setting": self.setting,
                "lines": [{"speaker": speaker, "text": text} for speaker, text in self.lines],
                "reference": {key: {"level": level, "why": why} for key, (level, why) in self.reference.items()}}


SEVEN = "seven-traits"
FOUR = "four-essentials"


def seven(title, setting, lines, substantive, evidence, questions, non_defensive, people, professional_knowledge, action):
    reference = {"substantive": substantive, "evidence": evidence, "questions": questions,
                 "non_defensive": non_defensive, "people": people,
                 "professional_knowledge": professional_knowledge, "action": action}
    return DemoScenario(SEVEN, title, setting, tuple(lines), reference)


def four(title, setting, lines, shared_inquiry, grounded_in_data, surfaces_assumptions, builds_knowledge):
    reference = {"shared_inquiry": shared_inquiry, "grounded_in_data": grounded_in_data,
                 "surfaces_assumptions": surfaces_assumptions, "builds_knowledge": builds_knowledge}
    return DemoScenario(FOUR, title, setting, tuple(lines), reference)


SCENARIOS: tuple[DemoScenario, ...] = (
    seven(
        "Sixth period after lunch", "informal",
        [("Teacher A", "Sixth period is impossible. Half of them didn't even open the packet today."),
         ("Teacher B", "Mine too. It's the schedule: right after lunch they're bouncing off the walls."),
         ("Teacher A", "And we're still supposed to keep up with the pacing guide. Like that's happening."),
         ("Teacher B", "I've stopped fighting it. I hand out the packet and let them work."),
         ("Teacher A", "Honestly, some of these kids just don't care.")],
        substantive=(0, "It names a class and a packet, yet it is a complaint about students and the schedule, not talk about what to teach."),
        evidence=(0, "'Half didn't open the packet' is an impression of the day, not student work anyone looked at."),
        questions=(0, "Nobody asks anything; the causes are settled before the talk starts."),
        non_defensive=(0, "The results are put on the students and the schedule, and one teacher has stopped trying to adjust."),
        people=(0, "They commiserate, but nothing shows they know each other beyond the shared frustration."),
        professional_knowledge=(0, "No practice or research from beyond the room comes in."),
        action=(0, "Handing out the packet is giving up on a change, not deciding one."),
    ),
    seven(
        "The unit 3 quiz numbers", "formal",
        [("Coach", "The unit 3 quiz results are in: a 58 percent average for the grade, down from 64 on unit 2."),
         ("Teacher A", "OK. Noted."),
         ("Teacher B", "Can we get to the field trip forms? They're due Friday."),
         ("Coach", "Sure. I'll put the quiz numbers in the shared folder."),
         ("Teacher A", "And who's covering bus duty while we're out?")],
        substantive=(0, "Apart from one sentence of results, the meeting is about forms and bus duty."),
        evidence=(1, "Recent, specific results are put on the table, but nobody looks at them or asks what they show."),
        questions=(0, "The only questions are about logistics."),
        non_defensive=(0, "A drop in results is passed over rather than faced."),
        people=(0, "Nothing personal is shared."),
        professional_knowledge=(0, "No outside practice or research is mentioned."),
        action=(0, "Filing the numbers in a folder changes nothing in instruction."),
    ),
    seven(
        "Ratios exit tickets", "informal",
        [("Teacher A", "I sorted yesterday's exit tickets on ratios: 9 of 27 set up the table backwards."),
         ("Teacher B", "Backwards how, part-to-part instead of part-to-whole?"),
         ("Teacher A", "Exactly that. And it's mostly the kids who were out for the band trip."),
         ("Teacher B", "Could you pull those nine for ten minutes on Thursday while the others start the warm-up?"),
         ("Teacher A", "Yes, and I'll give them a two-question check on Friday to see if it stuck.")],
        substantive=(2, "Particular students, a particular misconception and a lesson decision, all in a minute."),
        evidence=(2, "Yesterday's exit tickets are sorted and counted, down to the kind of error."),
        questions=(1, "One sharp question pins down the error, but there is no wider look at how the teaching led to it."),
        non_defensive=(1, "The gap is faced plainly and met with a fix, though nobody names their own part in it."),
        people=(0, "The talk stays on the work."),
        professional_knowledge=(0, "The fix comes from the two of them, not from outside practice or research."),
        action=(2, "A re-teach on Thursday and a check on Friday that will show whether it worked."),
    ),
    seven(
        "After the tournament", "informal",
        [("Teacher A", "How did your daughter's tournament go?"),
         ("Teacher B", "They lost the final on penalties, but she scored in the semi. She was over the moon."),
         ("Teacher A", "That's great. You were worried about her ankle all month."),
         ("Teacher B", "Still am! How is your mother settling into the new place?"),
         ("Teacher A", "Better this week. Thanks for asking; the move wore us all out.")],
        substantive=(0, "Nothing about teaching or learning; that is fine for this talk."),
        evidence=(0, "No information about students comes up."),
        questions=(0, "The questions are personal, not about teaching and results."),
        non_defensive=(0, "No student result is on the table to face."),
        people=(2, "They know each other's families and follow up on what matters to each other."),
        professional_knowledge=(0, "No practice or research is discussed."),
        action=(0, "No decision about instruction, nor any expected."),
    ),
    seven(
        "Wait time, after an observation", "formal",
        [("Principal", "In the discussion you asked eleven questions in ten minutes, and the same four students answered most of them."),
         ("Teacher", "I saw that on the video too. I think I answer my own questions when the silence gets long."),
         ("Principal", "What do you think would happen if you waited longer?"),
         ("Teacher", "The research on wait time says three seconds or more gets longer answers from more students. I know it; I just don't do it."),
         ("Principal", "What would make it doable in that class?"),
         ("Teacher", "A turn-and-talk first, then I call on students at random. I'll try it Tuesday. Could you come back and tally who answers?")],
        substantive=(2, "One lesson, one teaching move and who it reaches are examined closely."),
        evidence=(2, "A tally of questions and of the students who answered them, from the observation and the video."),
        questions=(2, "Questions about what would happen to students' answers if the teaching changed drive the talk."),
        non_defensive=(2, "The teacher owns the pattern without excuses or guilt and goes straight to what to change."),
        people=(0, "The talk stays on the lesson."),
        professional_knowledge=(2, "Research on wait time is named and used to choose what to try."),
        action=(2, "A specific change on Tuesday, with a tally to see whether more students answer."),
    ),
    seven(
        "Screener results, third grade", "formal",
        [("Teacher A", "The fluency screener came back: 14 of our 22 third graders are below benchmark."),
         ("Teacher B", "That's what happens when second grade spends all spring on test prep."),
         ("Teacher A", "And half of them don't read at home. There's only so much we can do in a day."),
         ("Teacher C", "So what do we tell the principal?"),
         ("Teacher B", "That they came to us this way. The numbers prove it.")],
        substantive=(1, "Students' reading is the topic, but the talk is about who is to blame, not about teaching."),
        evidence=(2, "Fresh screener results for their own students are on the table, with counts."),
        questions=(0, "The one question is what to tell the principal, not how teaching connects to results."),
        non_defensive=(0, "The results are blamed on last year's teachers and on homes; nobody looks at their own part."),
        people=(0, "Nothing personal is shared."),
        professional_knowledge=(0, "No practice or research from beyond the room is drawn on."),
        action=(0, "Nothing will change in instruction; the plan is an explanation."),
    ),
    seven(
        "Small groups in math", "formal",
        [("Coach", "You said your small groups feel like a second whole-class lesson. What happens in them?"),
         ("Teacher", "I re-teach the lesson more slowly. The same students are there every week."),
         ("Coach", "Some teams group by the misconception on the last check instead of by level. It's in the book club reading."),
         ("Teacher", "Hm. I haven't looked at the checks that way. I could try it."),
         ("Coach", "Want to sort Friday's check together at planning?"),
         ("Teacher", "Sure, Wednesday works.")],
        substantive=(2, "Concrete talk about how the teacher runs small groups and who is in them."),
        evidence=(1, "Friday's check is mentioned as something to sort later, not yet looked at."),
        questions=(1, "The coach asks what happens in the groups, but the link to results stays unexplored."),
        non_defensive=(1, "The teacher is open that the groups are not working, without looking at why."),
        people=(0, "The talk stays on the work."),
        professional_knowledge=(1, "Grouping by misconception comes from a shared reading, mentioned rather than examined."),
        action=(1, "They agree to sort the check together: a next step, not yet a change to teaching."),
    ),
    seven(
        "Science fair in the gym", "informal",
        [("Teacher A", "Are you doing the science fair again this year?"),
         ("Teacher B", "If I can get the gym. Last year we were in the cafeteria and it smelled like tacos."),
         ("Teacher A", "Ha! Did your son end up liking college?"),
         ("Teacher B", "He calls more than I expected, which I'll take."),
         ("Teacher A", "I'll ask about the gym when I see the custodian.")],
        substantive=(0, "Planning an event is logistics, not talk about teaching and learning."),
        evidence=(0, "Nothing about how students are doing."),
        questions=(0, "The questions are about a room and a son, not about teaching and results."),
        non_defensive=(0, "No student result is on the table."),
        people=(1, "A friendly question about a colleague's son shows they know each other, briefly."),
        professional_knowledge=(0, "No outside practice or research."),
        action=(0, "Asking about the gym is an errand, not a change to instruction."),
    ),
    seven(
        "Explaining the quote", "formal",
        [("Teacher A", "I brought six essays, two from each band. Even the strong ones quote well but never explain the quote."),
         ("Teacher B", "Mine too. Is that because our model essays always stop at the quote?"),
         ("Teacher C", "Could be. Did the students who got the 'explain it' mini-lesson do any better?"),
         ("Teacher A", "Only my classes had it, and their explanation scores were about half a point higher on the rubric."),
         ("Teacher B", "Then let's all teach it next week and rescore one paragraph from every student on the 20th."),
         ("Teacher C", "I'll bring the 'quote sandwich' from a writing workshop I went to; a colleague at my last school swore by it.")],
        substantive=(2, "Student writing, the team's models and a lesson are all on the table."),
        evidence=(2, "Real essays and rubric scores are read and compared across classes."),
        questions=(2, "They ask whether their own models and lessons explain the results, and check."),
        non_defensive=(2, "They trace the gap to their own model essays, plainly, and look for the fix."),
        people=(0, "Nothing personal is shared."),
        professional_knowledge=(1, "A strategy from a workshop is brought in second-hand, not yet examined."),
        action=(2, "Everyone teaches it next week, and a rescore on the 20th will show whether it worked."),
    ),
    seven(
        "Lab report conclusions", "informal",
        [("Teacher A", "I graded the lab reports last night and, honestly, I never taught them how to write a conclusion."),
         ("Teacher B", "Ouch. How did they do?"),
         ("Teacher A", "Most just restated the hypothesis. That's on me, not them."),
         ("Teacher B", "What would you show them, an example?"),
         ("Teacher A", "Maybe a good and a weak conclusion side by side. I'll think about it.")],
        substantive=(2, "A particular assignment and what the teacher did and did not teach."),
        evidence=(1, "Last night's reports are summed up in a sentence, not looked at in any detail."),
        questions=(1, "A question about how to teach it, not yet about what the results would show."),
        non_defensive=(2, "The teacher owns the gap plainly, 'that's on me', and turns to what to teach."),
        people=(0, "The talk stays on the work."),
        professional_knowledge=(0, "No outside practice or research is drawn on."),
        action=(1, "An idea for a lesson, but 'I'll think about it' is not yet a decision."),
    ),
    seven(
        "First conference week", "informal",
        [("Mentor", "How was your first conference week? You looked wiped out on Friday."),
         ("New teacher", "I was. One father asked why his son has a C when he 'understands everything'."),
         ("Mentor", "What did you say?"),
         ("New teacher", "I showed him the missing homework. He was fine after that."),
         ("Mentor", "Good. Get some sleep this weekend, and bring me your gradebook Tuesday if you'd like a second pair of eyes.")],
        substantive=(1, "A student's grade comes up, but as a conference story rather than a teaching decision."),
        evidence=(1, "Missing homework is specific, but it is shown to a parent, not examined for what the student has learned."),
        questions=(0, "The questions are about the conference, not about how teaching connects to results."),
        non_defensive=(0, "No gap in learning is faced; the grade is explained away by the homework."),
        people=(1, "The mentor notices how the new colleague is doing, warmly but briefly."),
        professional_knowledge=(0, "No outside practice or research."),
        action=(0, "An offer to look at a gradebook changes nothing in instruction yet."),
    ),
    seven(
        "Learning walk debrief", "formal",
        [("Principal", "In four of the six rooms we visited, the learning target was posted, but no student could tell us what it meant."),
         ("Coach", "That fits the research on learning intentions: posting a target is not the same as students understanding it."),
         ("Teacher leader", "Why do we think that is? Are we writing targets for the walk-through instead of for the students?"),
         ("Principal", "Maybe. What would it look like if students used the target during the lesson?"),
         ("Coach", "Success criteria the students check their own work against, during the work, not only at the end."),
         ("Teacher leader", "Let's pilot that in the two 7th-grade English rooms and ask students the same question on the next walk in three weeks.")],
        substantive=(2, "What happens in classrooms and what the adults do about targets."),
        evidence=(2, "What students in six rooms said during the walk, counted."),
        questions=(2, "Why-questions about their own practice and what would change students' answers lead the talk."),
        non_defensive=(2, "They ask whether they write targets for adults rather than students, owning their part."),
        people=(0, "The talk stays on the work."),
        professional_knowledge=(2, "Research on learning intentions and success criteria shapes what they decide to try."),
        action=(2, "A pilot in two rooms, checked by asking students the same question on the next walk."),
    ),
    four(
        "New fractions pacing", "formal",
        [("Principal", "The benchmark shows our fractions scores are the lowest in the district. Starting Monday, everyone follows the district pacing for fractions."),
         ("Teacher A", "Could we look at which parts of fractions they missed?"),
         ("Principal", "We don't have time this week. Just follow the pacing."),
         ("Teacher B", "OK."),
         ("Teacher A", "Sure.")],
        shared_inquiry=(0, "One-way telling from a supervisor; a teacher's question is set aside."),
        grounded_in_data=(1, "Benchmark results prompt the decision but are never looked at."),
        surfaces_assumptions=(0, "Nobody's thinking about why the scores are low comes up."),
        builds_knowledge=(0, "Nobody learns anything new; an instruction is passed on."),
    ),
    four(
        "Does homework help?", "informal",
        [("Teacher A", "I think our students fail the unit tests because they don't do the homework."),
         ("Teacher B", "I used to think that. Then I checked: the students who did every assignment scored about the same as those who didn't."),
         ("Teacher A", "Really? Then what is the homework for?"),
         ("Teacher B", "Good question. Maybe practice only helps once they understand the idea?"),
         ("Teacher A", "So we'd do better checking understanding first. Can I see your numbers?")],
        shared_inquiry=(2, "Both wonder aloud together, and each question is taken up by the other."),
        grounded_in_data=(1, "A comparison of homework and scores is reported, not yet looked at together."),
        surfaces_assumptions=(2, "A belief about homework is said out loud and tested against what a colleague found."),
        builds_knowledge=(1, "A new idea forms, practice helps after understanding, but it is still a hunch."),
    ),
    four(
        "Stalled at level J", "formal",
        [("Coach", "Here are last week's running records: 11 students have been stuck at level J since October."),
         ("Teacher A", "Looking at the errors, most are meaning errors. They guess from the picture."),
         ("Teacher B", "That's not what I assumed. I have them in a phonics group."),
         ("Teacher A", "Then phonics isn't what's holding them back. What do they need for level K?"),
         ("Coach", "Texts with fewer picture cues, and prompts to cross-check. Let's try it for three weeks and take new records."),
         ("Teacher B", "I'll bring my group's records next time so we can compare.")],
        shared_inquiry=(2, "They think together about the same records, each building on the other."),
        grounded_in_data=(2, "Last week's running records are read together, error by error."),
        surfaces_assumptions=(1, "One teacher notices that her grouping rested on an assumption, though it is not explored."),
        builds_knowledge=(2, "They reach a new understanding, meaning errors rather than phonics, and a way to test it."),
    ),
    four(
        "The new curriculum", "informal",
        [("Teacher A", "This new curriculum is a disaster."),
         ("Teacher B", "Total disaster. Whoever picked it never taught a day."),
         ("Teacher A", "The kids hate it."),
         ("Teacher B", "I'm going back to my old units after the break. Nobody will check.")],
        shared_inquiry=(0, "They agree with each other, but inquire into nothing."),
        grounded_in_data=(0, "'The kids hate it' is a feeling, not evidence."),
        surfaces_assumptions=(0, "Strong beliefs are voiced, but nobody treats them as assumptions to question."),
        builds_knowledge=(0, "Each leaves believing exactly what they believed before."),
    ),
    four(
        "Heavier things fall faster", "formal",
        [("Coach", "Let's look at the exit slips from the lab. What do you notice?"),
         ("Teacher", "Almost all of them wrote that heavier things fall faster."),
         ("Coach", "What did you expect them to write?"),
         ("Teacher", "I assumed dropping the two balls would convince them. I think they saw what they expected to see."),
         ("Coach", "That's a big idea: seeing isn't believing. What do you make of it?"),
         ("Teacher", "Maybe they need to predict first and write down why, so they notice when they're wrong.")],
        shared_inquiry=(1, "An honest exchange, but the coach only asks and the teacher does the thinking alone."),
        grounded_in_data=(2, "The lab's exit slips are read together and drive the talk."),
        surfaces_assumptions=(2, "The teacher names her own assumption that a demonstration would convince them."),
        builds_knowledge=(2, "An insight, students see what they expect, leads to a new way to teach the lab."),
    ),
    four(
        "Quiet seventh graders", "informal",
        [("Teacher A", "My seventh graders won't talk in discussions. I've tried everything."),
         ("Teacher B", "Have you tried giving them the question the day before? Quiet students like to rehearse."),
         ("Teacher A", "I figured they just didn't do the reading."),
         ("Teacher B", "Could be both. Some of mine had read it and still froze until they had time to write first."),
         ("Teacher A", "Huh. I'll try a minute of writing first tomorrow.")],
        shared_inquiry=(1, "Helpful advice flows mostly one way, with a little back and forth."),
        grounded_in_data=(0, "No student work or data, only impressions."),
        surfaces_assumptions=(1, "'They didn't do the reading' is named and gently questioned, not explored."),
        builds_knowledge=(1, "A small shift, that quiet students may need time to write first, not yet checked."),
    ),
)


def add_practice_scenarios(school_id: int, author_id: int | None) -> int:
    """Every demo scenario for one school, written by its principal; the first of the list shows first."""
    from server.db import db
    from server.practice.models import PracticeScenario
    from server.practice.service import references_for
    from server.rubrics.models import Rubric

    rubrics = {rubric.key: rubric for rubric in db.session.scalars(db.select(Rubric).where(Rubric.district_id.is_(None)))}
    for scenario in reversed(SCENARIOS):  # the practice list shows the newest first
        rubric = rubrics[scenario.rubric_key]
        fields = scenario.fields(school_id, rubric.id)
        row = PracticeScenario(school_id=school_id, rubric_id=rubric.id, author_id=author_id, title=fields["title"],
                               setting=fields["setting"], lines=fields["lines"])
        row.references = references_for(rubric, fields["reference"])
        db.session.add(row)
    db.session.flush()
    return len(SCENARIOS)

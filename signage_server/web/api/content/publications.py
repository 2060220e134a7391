"""Publications: a bulletin (or images), where and when, made and submitted in one request, and
the submissions an approver decides on in one action (also an edit of approved content)."""

from __future__ import annotations

from fastapi import APIRouter, status

from signage_server.content import publications as service
from signage_server.content.publications import DecisionRequest, PublicationCreate, SubmissionPublic
from signage_server.models import ContentState
from signage_server.web.deps import (
    ChangesDep,
    CurrentActor,
    CurrentUser,
    EditorActor,
    ReviewerUser,
    SessionDep,
)

router = APIRouter(tags=["publications"])


@router.post("/publications", response_model=SubmissionPublic, status_code=status.HTTP_201_CREATED)
def create_publication(
    session: SessionDep, actor: EditorActor, changes: ChangesDep, body: PublicationCreate
) -> SubmissionPublic:
    """Make the bulletin, a playlist showing it (and the images) and one schedule per target in one
    transaction, submitted together for approval as one submission (approved at once where the
    unit's trusted editors auto-approve). ``window.valid_from``/``valid_until`` bound both the
    bulletin's validity and the schedules' dates."""
    return service.create_publication(session, actor=actor, changes=changes, data=body)


@router.get("/submissions", response_model=list[SubmissionPublic])
def list_submissions(
    session: SessionDep, user: CurrentUser, state: ContentState | None = None, mine: bool = False
) -> list[SubmissionPublic]:
    """Submissions in the caller's scope, newest first (``mine``: only the caller's own)."""
    return service.list_submissions(session, user=user, state=state, mine=mine)


@router.get("/submissions/queue", response_model=list[SubmissionPublic])
def submission_queue(session: SessionDep, user: ReviewerUser) -> list[SubmissionPublic]:
    """Submissions awaiting the caller's decision, oldest first (not the caller's own)."""
    return service.submission_queue(session, user=user)


@router.get("/submissions/{submission_id}", response_model=SubmissionPublic)
def get_submission(session: SessionDep, user: CurrentUser, submission_id: int) -> SubmissionPublic:
    return service.get_submission(session, user=user, submission_id=submission_id)


@router.post("/submissions/{submission_id}/decision", response_model=SubmissionPublic)
def decide_submission(
    session: SessionDep, actor: CurrentActor, changes: ChangesDep, submission_id: int, body: DecisionRequest
) -> SubmissionPublic:
    """Approve or reject the whole submission at once (four-eyes: not one's own submission; a
    rejection needs a reason, which the author sees)."""
    return service.decide_submission(session, actor=actor, changes=changes, submission_id=submission_id,
                                     decision=body)

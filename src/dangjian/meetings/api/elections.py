"""Committee terms (status, postponement) and elections (record, approve)."""
from __future__ import annotations

from django.utils import timezone
from ninja import Query, Status

from dangjian.core.pagination import keyset_page
from dangjian.meetings import selectors as sel
from dangjian.meetings import services as svc
from dangjian.meetings.api.common import ElectionId, TermId, _election, _org, _term, router
from dangjian.meetings.choices import ElectionsPerm
from dangjian.meetings.schemas import (
    ElectionApproveIn,
    ElectionRecordIn,
    ElectionRecordOut,
    ElectionRecordPageOut,
    MeetingListQuery,
    MeetingTermsQuery,
    MeetingTermStateOut,
    TermPostponeIn,
)
from dangjian.orgs.api import org_ref_or_error
from dangjian.orgs.choices import OrgType
from dangjian.orgs.selectors import org_children
from dangjian.orgs.services import term_postpone


@router.get(
    "/terms", perm=ElectionsPerm.VIEW, response=list[MeetingTermStateOut], operation_id="meetings_terms",
    summary="届次与换届提醒",
    description="""
        `org`（及 `children: true` 时的直属下级组织）本届委员会及其状态：current（任期内）、expiring（到了
        届满前 6、3、1 个月的提醒点，`reminder_months`）、expired（已届满未换届）、postponed（经批准延期）。
        提醒点可配置（`DANGJIAN_TERM_REMINDER_MONTHS`）。
    """,
)
def meetings_terms(request, query: Query[MeetingTermsQuery]):
    actor = request.auth
    org = org_ref_or_error(actor=actor, ref=query.org, field="org", perm=ElectionsPerm.VIEW, by_id=True)
    orgs = [org, *(org_children(actor=actor, org=org, perm=ElectionsPerm.VIEW)[:500] if query.children else [])]
    rows = sel.term_overview(actor=actor, orgs=[o for o in orgs if o.org_type != OrgType.GROUP],
                             today=timezone.localdate())
    return [{"org": _org(o), "term": _term(t) if t else None, "status": s.status if s else None,
             "days_left": s.days_left if s else None, "reminder_months": s.reminder_months if s else None,
             "effective_end": s.effective_end if s else None} for o, t, s in rows]


@router.post(
    "/terms/{term_id}/postpone", perm=ElectionsPerm.CHANGE, response=MeetingTermStateOut,
    operation_id="meetings_term_postpone", summary="登记延期换届",
    description="""
        登记上级党组织批准的延期换届：延期至 `until`（晚于届满日期，且一般不超过 12 个月，DOMAIN §3），
        批准的上级组织 `approved_by`（须是本组织的上级）、批准日期（不晚于今天）和文号。写入操作日志
        `orgs.term_postpone`。
    """,
)
def meetings_term_postpone(request, payload: TermPostponeIn, term_id: TermId):
    actor = request.auth
    term = sel.term_get(actor=actor, pk=term_id, perm=ElectionsPerm.CHANGE)
    term = term_postpone(actor=actor, term=term, until=payload.until,
                         approved_by=sel.ancestor_by_code(actor=actor, org=term.org, code=payload.approved_by),
                         approved_on=payload.approved_on, approval_doc=payload.approval_doc, reason=payload.reason)
    (org, t, s), = sel.term_overview(actor=actor, orgs=[term.org], today=timezone.localdate())
    return {"org": _org(org), "term": _term(t), "status": s.status, "days_left": s.days_left,
            "reminder_months": s.reminder_months, "effective_end": s.effective_end}


@router.get(
    "/elections", perm=ElectionsPerm.VIEW, response=ElectionRecordPageOut, operation_id="meetings_elections_list",
    summary="选举记录",
    description="您数据范围内的换届选举记录，按 id 升序，键集分页。",
)
def meetings_elections_list(request, query: Query[MeetingListQuery]):
    page = keyset_page(sel.election_list(actor=request.auth), cursor=query.cursor, limit=query.limit)
    return {"items": [_election(request.auth, e) for e in page.items], "next_cursor": page.next_cursor}


@router.post(
    "/elections", perm=ElectionsPerm.CHANGE, response=ElectionRecordOut, status=201,
    operation_id="meetings_election_record", summary="登记换届选举",
    description="""
        登记 `org` 的委员会选举：应到人数按党员名册计算，只计正式党员（预备党员没有选举权，DOMAIN §3）；
        实到须超过应到的一半。每位候选人须是本组织正式党员，当选须获得超过实到人数一半的赞成票；当选者中
        须有且只有一名书记（`position: secretary`）。保存后上一届委员的职务于选举日结束，新一届委员会
        （届次）自选举日开始，当选者任相应职务。写入操作日志 `meetings.election_record`（以及届次和职务的记录）。
    """,
)
def meetings_election_record(request, payload: ElectionRecordIn):
    actor = request.auth
    org = org_ref_or_error(actor=actor, ref=payload.org, field="org", perm=ElectionsPerm.CHANGE, by_id=True)
    election = svc.election_record(actor=actor, org=org, held_on=payload.held_on, attending=payload.attending,
                                   results=[r.model_dump() for r in payload.results], note=payload.note)
    return Status(201, _election(actor, election))


@router.get(
    "/elections/{election_id}", perm=ElectionsPerm.VIEW, response=ElectionRecordOut,
    operation_id="meetings_election_get", summary="选举结果",
    description="一次选举的应到、实到、候选人得票、当选职务、产生的届次和上级批复。",
)
def meetings_election_get(request, election_id: ElectionId):
    return _election(request.auth, sel.election_get(actor=request.auth, pk=election_id))


@router.post(
    "/elections/{election_id}/approve", perm=ElectionsPerm.CHANGE, response=ElectionRecordOut,
    operation_id="meetings_election_approve", summary="登记上级批复",
    description="""
        登记上级党组织对当选书记、副书记的批复：`approved_by` 须是选举组织的上级且在您的管理范围内，批准日期
        不早于选举日期、不晚于今天，文号必填。写入操作日志 `meetings.election_approve`。
    """,
)
def meetings_election_approve(request, payload: ElectionApproveIn, election_id: ElectionId):
    actor = request.auth
    election = sel.election_get(actor=actor, pk=election_id)
    election = svc.election_approve(actor=actor, election=election,
                                    approved_by=sel.ancestor_by_code(actor=actor, org=election.org,
                                                                     code=payload.approved_by),
                                    approved_on=payload.approved_on, approval_doc=payload.approval_doc)
    return _election(actor, election)


# ------------------------------------------------------------------------------------ one meeting

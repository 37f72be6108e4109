"""API5:2023 Broken Function Level Authorization: every operation of the gateway's merged OpenAPI × every role.

The expected matrix is the table below, written out by hand and reviewed by eye (it is not read from the code
under test). Each row names the roles that may call the operation: ``anyone`` (also without a token), ``police``
(a police unit's client token), or staff roles (``admin`` is written out where it passes). Every operation is sent
by each role and without a token: a role not in its row must get 401 or 403 (never a 2xx, never a 5xx); a role in
its row must get past authorization (anything but 401/403, never a 5xx: a made-up id is a 404, an empty body a 422).
A test also checks that the table covers exactly the operations the merged document lists, so a new route cannot
go untested.
"""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from tests.support.system import System

pytestmark = pytest.mark.integration

STAFF_ROLES = (
    "admin",
    "officer",
    "head",
    "legal_reviewer",
    "disclosure_editor",
    "monitoring_reviewer",
    "auditor",
)
CALLERS = (*STAFF_ROLES, "police", "anonymous")

CASE_READERS = "admin officer head legal_reviewer auditor"
CASE_WORKERS = "admin officer head"
HEADS = "admin head"
PUBLICATION_READERS = "admin disclosure_editor head officer legal_reviewer auditor"
EDITORS = "admin disclosure_editor head"
MONITORING_READERS = "admin monitoring_reviewer head officer auditor disclosure_editor"
MONITORING_MANAGERS = "admin monitoring_reviewer head"
MONITORING_REVIEWERS = "admin monitoring_reviewer"
LEGAL_OFFICE = "admin legal_reviewer head"
LEGAL_OFFICE_READERS = "admin legal_reviewer head disclosure_editor auditor"
REPORT_DRAFTERS = "admin legal_reviewer disclosure_editor head"

# operation → who may call it. Groups above are named for reading; each row could be written out in full.
MATRIX = f"""
POST   /auth/token                                                      anyone
GET    /healthz                                                         anyone
GET    /readyz                                                          anyone

GET    /api/v1/admin/users                                              admin
POST   /api/v1/admin/users/{{username}}/deactivation                     admin
POST   /api/v1/admin/users/{{username}}/reactivation                     admin
POST   /api/v1/admin/users/{{username}}/token-revocation                 admin
POST   /api/v1/admin/users/{{username}}/password-reset                   admin
GET    /api/v1/admin/clients                                            admin
POST   /api/v1/admin/clients/{{client_id}}/deactivation                  admin
POST   /api/v1/admin/clients/{{client_id}}/reactivation                  admin
POST   /api/v1/admin/clients/{{client_id}}/token-revocation              admin
POST   /api/v1/admin/clients/{{client_id}}/secret-rotation               admin

POST   /api/v1/cases                                                    {HEADS}
GET    /api/v1/cases                                                    {CASE_READERS}
GET    /api/v1/cases/{{case_id}}                                         {CASE_READERS}
POST   /api/v1/cases/{{case_id}}/transitions                             admin officer head legal_reviewer
POST   /api/v1/cases/{{case_id}}/clock-stops                             {CASE_WORKERS}
POST   /api/v1/cases/{{case_id}}/clock-stops/{{stop_id}}/end              {CASE_WORKERS}
POST   /api/v1/cases/{{case_id}}/extensions                              {HEADS}
POST   /api/v1/cases/{{case_id}}/execution                               {CASE_WORKERS}
POST   /api/v1/cases/{{case_id}}/referrals                               {HEADS}
POST   /api/v1/cases/{{case_id}}/evidence                                {CASE_WORKERS}
GET    /api/v1/cases/{{case_id}}/evidence                                {CASE_READERS}
POST   /api/v1/cases/{{case_id}}/preservations                           {CASE_WORKERS}
GET    /api/v1/cases/{{case_id}}/preservations                           {CASE_READERS}
GET    /api/v1/cases/{{case_id}}/preservations/{{preservation_id}}         {CASE_READERS}
GET    /api/v1/cases/{{case_id}}/evidence/{{evidence_id}}                  {CASE_READERS}
GET    /api/v1/cases/{{case_id}}/referrals/{{referral_request_id}}         {CASE_READERS}
POST   /api/v1/cases/{{case_id}}/preservations/{{preservation_id}}/disposal {CASE_WORKERS}
POST   /api/v1/cases/{{case_id}}/evidence/verification                   {CASE_READERS}
GET    /api/v1/cases/{{case_id}}/history                                 {CASE_READERS}
POST   /api/v1/cases/decisions                                          {HEADS}
GET    /api/v1/cases/decisions/{{decision_id}}                           {CASE_READERS}
GET    /api/v1/cases/decisions/{{decision_id}}/document.pdf              {CASE_READERS}
GET    /api/v1/cases/decisions/{{decision_id}}/service-receipt.pdf       {CASE_READERS}
POST   /api/v1/cases/decisions/{{decision_id}}/service                   {CASE_WORKERS}
POST   /api/v1/cases/decisions/{{decision_id}}/revocation                {HEADS}
POST   /api/v1/cases/decisions/{{decision_id}}/amendment                 {HEADS}
POST   /api/v1/cases/parties                                            {CASE_WORKERS}
GET    /api/v1/cases/parties                                            {CASE_READERS}
GET    /api/v1/cases/parties/{{party_id}}                                {CASE_READERS}
POST   /api/v1/cases/teams                                              {HEADS}
GET    /api/v1/cases/teams/{{team_id}}                                   {CASE_READERS}
POST   /api/v1/cases/officers                                           {HEADS}
GET    /api/v1/cases/officers                                           {CASE_READERS}
GET    /api/v1/cases/officers/{{officer_id}}                             {CASE_READERS}
PATCH  /api/v1/cases/officers/{{officer_id}}                             {HEADS}
POST   /api/v1/cases/officers/{{officer_id}}/deactivation                {HEADS}
POST   /api/v1/cases/inspections                                        {CASE_WORKERS}
GET    /api/v1/cases/inspections/{{inspection_id}}                       {CASE_READERS}
POST   /api/v1/cases/leads                                              {CASE_WORKERS}
GET    /api/v1/cases/leads                                              {CASE_READERS}
GET    /api/v1/cases/leads/{{lead_id}}                                   {CASE_READERS}
POST   /api/v1/cases/leads/{{lead_id}}/extension                         {HEADS}
POST   /api/v1/cases/leads/{{lead_id}}/declination                       {HEADS}
GET    /api/v1/cases/statistics                                         {CASE_READERS} disclosure_editor
GET    /api/v1/cases/deadlines                                          {CASE_READERS}
POST   /api/v1/cases/review-meetings                                    {HEADS}
GET    /api/v1/cases/review-meetings/{{meeting_id}}                      {CASE_READERS}
POST   /api/v1/cases/supervised-entities:import                         {HEADS}
GET    /api/v1/cases/supervised-entities                                {CASE_READERS}
GET    /api/v1/cases/supervised-entities/{{entity_id}}                   {CASE_READERS}
POST   /api/v1/cases/inspector-exclusions                               {HEADS}
GET    /api/v1/cases/inspector-exclusions                               {CASE_READERS}
GET    /api/v1/cases/inspector-exclusions/{{exclusion_id}}               {CASE_READERS}
GET    /api/v1/cases/inspector-pool                                     {CASE_READERS}
POST   /api/v1/cases/inspection-draws                                   {HEADS}
GET    /api/v1/cases/inspection-draws                                   {CASE_READERS}
GET    /api/v1/cases/inspection-draws/{{draw_id}}                        {CASE_READERS}
POST   /api/v1/cases/inspection-draws/{{draw_id}}/execution              {HEADS}
GET    /api/v1/cases/planned-inspections                                {CASE_READERS}
POST   /api/v1/cases/inspection-rates                                   {HEADS}
GET    /api/v1/cases/inspection-rates                                   {CASE_READERS}
GET    /api/v1/cases/inspection-rates/{{rate_id}}                        {CASE_READERS}
PATCH  /api/v1/cases/inspection-rates/{{rate_id}}                        {HEADS}

GET    /api/v1/disclosure/due-date                                      {PUBLICATION_READERS}
GET    /api/v1/disclosure/publications                                  {PUBLICATION_READERS}
GET    /api/v1/disclosure/publications/{{publication_id}}                {PUBLICATION_READERS}
GET    /api/v1/disclosure/publications/{{publication_id}}/redactions     {EDITORS}
POST   /api/v1/disclosure/publications/{{publication_id}}/redactions     {EDITORS}
POST   /api/v1/disclosure/publications/{{publication_id}}/redactions:undo {EDITORS}
PATCH  /api/v1/disclosure/publications/{{publication_id}}                {EDITORS}
POST   /api/v1/disclosure/publications/{{publication_id}}/publish        {EDITORS}
GET    /api/v1/disclosure/deadlines/at-risk                             {PUBLICATION_READERS}
GET    /api/v1/disclosure/deadlines/overdue                             {PUBLICATION_READERS}
GET    /api/v1/disclosure/statistics/on-time                            {PUBLICATION_READERS}
GET    /api/v1/disclosure/credit-china/records                          {EDITORS} auditor
GET    /api/v1/disclosure/credit-china/records.csv                      {EDITORS} auditor
POST   /api/v1/disclosure/credit-china/records/{{record_id}}/redeliver   {EDITORS}
POST   /api/v1/disclosure/annual-reports/{{year}}                        {EDITORS}
GET    /api/v1/disclosure/annual-reports                                {EDITORS} auditor officer
GET    /api/v1/disclosure/enforcement-lists/authority-list              {PUBLICATION_READERS}
PUT    /api/v1/disclosure/enforcement-lists/authority-list              {EDITORS}
GET    /api/v1/disclosure/enforcement-lists/procedures                  {PUBLICATION_READERS}
PUT    /api/v1/disclosure/enforcement-lists/procedures                  {EDITORS}
GET    /api/v1/disclosure/enforcement-lists/remedies                    {PUBLICATION_READERS}
PUT    /api/v1/disclosure/enforcement-lists/remedies                    {EDITORS}
GET    /api/v1/disclosure/enforcement-lists/random-inspection-items     {PUBLICATION_READERS}
PUT    /api/v1/disclosure/enforcement-lists/random-inspection-items     {EDITORS}
POST   /api/v1/disclosure/enforcement-statistics/{{year}}/{{period}}      {EDITORS}
POST   /api/v1/disclosure/law-activities                                {LEGAL_OFFICE}
GET    /api/v1/disclosure/law-activities                                {LEGAL_OFFICE_READERS}
GET    /api/v1/disclosure/law-activities/{{activity_id}}                 {LEGAL_OFFICE_READERS}
PATCH  /api/v1/disclosure/law-activities/{{activity_id}}                 {LEGAL_OFFICE}
DELETE /api/v1/disclosure/law-activities/{{activity_id}}                 {LEGAL_OFFICE}
GET    /api/v1/disclosure/rule-of-law-reports                           {LEGAL_OFFICE_READERS}
POST   /api/v1/disclosure/rule-of-law-reports/{{year}}                   {REPORT_DRAFTERS}
GET    /api/v1/disclosure/rule-of-law-reports/{{year}}                   {LEGAL_OFFICE_READERS}
PATCH  /api/v1/disclosure/rule-of-law-reports/{{year}}                   {REPORT_DRAFTERS}
POST   /api/v1/disclosure/rule-of-law-reports/{{year}}/figures           {REPORT_DRAFTERS}
POST   /api/v1/disclosure/rule-of-law-reports/{{year}}/approval          {HEADS}
POST   /api/v1/disclosure/rule-of-law-reports/{{year}}/publication       {EDITORS}

GET    /public/v1/reports                                               anyone
GET    /public/v1/reports/{{year}}                                       anyone
GET    /public/v1/rule-of-law-reports                                   anyone
GET    /public/v1/rule-of-law-reports/{{year}}                           anyone
GET    /public/v1/rule-of-law-reports/{{year}}.pdf                       anyone
GET    /public/v1/decisions                                             anyone
GET    /public/v1/decisions.csv                                         anyone
GET    /public/v1/decisions.atom                                        anyone
GET    /public/v1/decisions/{{publication_id}}                           anyone
GET    /public/v1/decisions/{{publication_id}}.pdf                       anyone
GET    /public/v1/withdrawals                                           anyone
GET    /public/v1/bulletins                                             anyone
GET    /public/v1/bulletins/{{bulletin_id}}                              anyone
GET    /portal                                                          anyone
GET    /portal/                                                         anyone
GET    /portal/decisions/{{publication_id}}                              anyone
GET    /portal/withdrawn                                                anyone
GET    /portal/bulletins                                                anyone
GET    /portal/bulletins/{{bulletin_id}}                                 anyone
GET    /portal/reports                                                  anyone
GET    /portal/reports/{{year}}                                          anyone
GET    /public/v1/inspection-draws                                      anyone
GET    /public/v1/inspection-draws.csv                                  anyone
GET    /public/v1/inspection-draws/{{draw_id}}                           anyone
GET    /public/v1/inspection-plans/{{year}}                              anyone
GET    /portal/inspections                                              anyone
GET    /portal/inspections/{{draw_id}}                                   anyone
GET    /public/v1/enforcement-lists/authority-list                      anyone
GET    /public/v1/enforcement-lists/authority-list/versions             anyone
GET    /public/v1/enforcement-lists/procedures                          anyone
GET    /public/v1/enforcement-lists/procedures/versions                 anyone
GET    /public/v1/enforcement-lists/remedies                            anyone
GET    /public/v1/enforcement-lists/remedies/versions                   anyone
GET    /public/v1/enforcement-lists/random-inspection-items             anyone
GET    /public/v1/enforcement-lists/random-inspection-items/versions    anyone
GET    /public/v1/officers                                              anyone
GET    /public/v1/officers/changes                                      anyone
GET    /public/v1/enforcement-statistics                                anyone
GET    /public/v1/enforcement-statistics/{{year}}/{{period}}              anyone
GET    /portal/before-enforcement                                       anyone
GET    /portal/officers                                                 anyone
GET    /portal/enforcement-lists/{{slug}}                                anyone
GET    /portal/statistics                                               anyone
GET    /portal/statistics/{{year}}/{{period}}                             anyone
GET    /portal/rule-of-law-reports                                      anyone
GET    /portal/rule-of-law-reports/{{year}}                              anyone

GET    /api/v1/referral/referrals                                       {CASE_READERS}
GET    /api/v1/referral/referrals/{{referral_id}}                        {CASE_READERS}
GET    /api/v1/referral/referrals/{{referral_id}}/transfer-letter.pdf    {CASE_READERS}
POST   /api/v1/referral/referrals/{{referral_id}}/transfer               {CASE_WORKERS}
POST   /api/v1/referral/referrals/{{referral_id}}/incomplete-notice      {CASE_WORKERS}
POST   /api/v1/referral/referrals/{{referral_id}}/supplement             {CASE_WORKERS}
POST   /api/v1/referral/referrals/{{referral_id}}/reconsideration        {CASE_WORKERS}
POST   /api/v1/referral/referrals/{{referral_id}}/supervision            {CASE_WORKERS}
POST   /api/v1/referral/referrals/{{referral_id}}/exhibits-handover      {CASE_WORKERS}
POST   /api/v1/referral/referrals/{{referral_id}}/decision-track         {CASE_WORKERS}
POST   /api/v1/referral/referrals/{{referral_id}}/documents              {CASE_WORKERS}
GET    /api/v1/referral/referrals/{{referral_id}}/documents/{{document_id}} {CASE_READERS}
POST   /api/v1/referral/consultations                                   {CASE_WORKERS}
GET    /api/v1/referral/consultations                                   {CASE_READERS}
GET    /api/v1/referral/consultations/{{consultation_id}}                {CASE_READERS}
GET    /api/v1/referral/deadlines                                       {CASE_READERS}
GET    /api/v1/referral/statistics                                      {CASE_READERS}
GET    /api/v1/referral/procuratorate-deliveries                        {CASE_READERS}
POST   /api/v1/referral/procuratorate-deliveries/{{delivery_id}}/retry   {CASE_WORKERS}

GET    /police/v1/referrals                                             police
GET    /police/v1/referrals/{{referral_id}}                              police
GET    /police/v1/referrals/{{referral_id}}/documents/{{document_id}}     police
POST   /police/v1/referrals/{{referral_id}}/receipt                      police
POST   /police/v1/referrals/{{referral_id}}/decision                     police

POST   /api/v1/monitoring/calculations/aqi                              {MONITORING_READERS}
POST   /api/v1/monitoring/calculations/water-class                      {MONITORING_READERS}
POST   /api/v1/monitoring/calculations/noise-grade                      {MONITORING_READERS}
POST   /api/v1/monitoring/stations                                      {MONITORING_MANAGERS}
GET    /api/v1/monitoring/stations                                      {MONITORING_READERS}
GET    /api/v1/monitoring/stations/{{code}}                              {MONITORING_READERS}
PUT    /api/v1/monitoring/stations/{{code}}                              {MONITORING_MANAGERS}
DELETE /api/v1/monitoring/stations/{{code}}                              {MONITORING_MANAGERS}
GET    /api/v1/monitoring/stations/{{code}}/aqi                          {MONITORING_READERS}
GET    /api/v1/monitoring/stations/{{code}}/water-class                  {MONITORING_READERS}
GET    /api/v1/monitoring/stations/{{code}}/noise                        {MONITORING_READERS}
POST   /api/v1/monitoring/readings:batch                                {MONITORING_REVIEWERS}
GET    /api/v1/monitoring/readings                                      {MONITORING_READERS}
GET    /api/v1/monitoring/latest                                        {MONITORING_READERS}
POST   /api/v1/monitoring/reviews                                       {MONITORING_REVIEWERS}
POST   /api/v1/monitoring/reviews:range                                 {MONITORING_REVIEWERS}
GET    /api/v1/monitoring/reviews                                       {MONITORING_READERS}
POST   /api/v1/monitoring/exceedances:detect                            {MONITORING_REVIEWERS}
GET    /api/v1/monitoring/exceedances                                   {MONITORING_READERS}
POST   /api/v1/monitoring/bulletins                                     {MONITORING_MANAGERS}
GET    /api/v1/monitoring/bulletins                                     {MONITORING_READERS}
GET    /api/v1/monitoring/bulletins/{{bulletin_id}}                      {MONITORING_READERS}
GET    /api/v1/monitoring/bulletins/{{bulletin_id}}/html                 {MONITORING_READERS}
POST   /api/v1/monitoring/bulletins/{{bulletin_id}}:publish              {MONITORING_MANAGERS}
GET    /api/v1/monitoring/towns/{{town}}/aqi                             {MONITORING_READERS}
POST   /api/v1/monitoring/enterprises                                   {MONITORING_MANAGERS}
POST   /api/v1/monitoring/enterprises:import                            {MONITORING_MANAGERS}
GET    /api/v1/monitoring/enterprises                                   {MONITORING_READERS}
GET    /api/v1/monitoring/enterprises/{{enterprise_code}}                 {MONITORING_READERS}
PUT    /api/v1/monitoring/enterprises/{{enterprise_code}}                 {MONITORING_MANAGERS}
POST   /api/v1/monitoring/enterprises/{{enterprise_code}}/outlets         {MONITORING_MANAGERS}
POST   /api/v1/monitoring/enterprises/{{enterprise_code}}/outlets/{{outlet_code}}/limits {MONITORING_MANAGERS}

GET    /public/v1/monitoring/stations                                   anyone
GET    /public/v1/monitoring/stations/{{code}}                           anyone
GET    /public/v1/monitoring/stations/{{code}}/latest                    anyone
GET    /public/v1/monitoring/stations/{{code}}/readings                  anyone
GET    /public/v1/monitoring/stations/{{code}}/aqi/daily                 anyone
GET    /public/v1/monitoring/stations/{{code}}/water-class/monthly       anyone
POST   /api/v1/monitoring/noise/measurements:batch                      {MONITORING_REVIEWERS}
GET    /api/v1/monitoring/noise/measurements                            {MONITORING_READERS}
GET    /api/v1/monitoring/noise/summary                                 {MONITORING_READERS}
GET    /public/v1/monitoring/noise/summary                              anyone
GET    /public/v1/monitoring/noise/measurements                         anyone
GET    /public/v1/monitoring/enterprises                                anyone
GET    /public/v1/monitoring/enterprises/{{enterprise_code}}              anyone
GET    /public/v1/monitoring/enterprises/{{enterprise_code}}/outlets/{{outlet_code}}/emissions anyone
GET    /public/v1/monitoring/enterprises/{{enterprise_code}}/exceedances  anyone
GET    /public/v1/monitoring/enterprises/{{enterprise_code}}/completeness anyone
GET    /public/v1/monitoring/enterprises/{{enterprise_code}}/outlets/{{outlet_code}}/chart anyone
GET    /public/v1/monitoring/enterprises/{{enterprise_code}}/page         anyone
GET    /portal/monitoring/enterprises                                   anyone
GET    /portal/monitoring/enterprises/{{enterprise_code}}                 anyone
"""

# The auditor is read-only: the only non-GET operations it may call change nothing (they compute or re-check).
AUDITOR_SAFE_WRITES = {
    "POST /api/v1/cases/{case_id}/evidence/verification",
    "POST /api/v1/monitoring/calculations/aqi",
    "POST /api/v1/monitoring/calculations/water-class",
    "POST /api/v1/monitoring/calculations/noise-grade",
}
# Made-up values for path parameters: well-formed, naming nothing that exists.
PATH_VALUES = {"year": "2023", "code": "NO-SUCH-STATION", "town": "中北镇"}


def parse_matrix(text: str) -> dict[str, frozenset[str]]:
    table: dict[str, frozenset[str]] = {}
    for line in text.strip().splitlines():
        if not line.strip():
            continue
        method, path, *roles = line.split()
        if roles == ["anyone"]:
            allowed = frozenset(CALLERS)
        else:
            allowed = frozenset(roles)
            assert allowed <= set(CALLERS), f"unknown role in {line!r}"
        key = f"{method} {path}"
        assert key not in table, f"{key} is listed twice"
        table[key] = allowed
    return table


EXPECTED = parse_matrix(MATRIX)


def token_for(system: System, caller: str) -> str | None:
    if caller == "anonymous":
        return None
    if caller == "police":
        return system.police_token(subject="matrix-police")
    return system.staff_token(caller, subject=f"matrix-{caller}")


def concrete(path: str) -> str:
    return re.sub(r"{(\w+)}", lambda m: PATH_VALUES.get(m.group(1), "00000000-0000-4000-8000-000000000000"), path)


async def call(client: httpx.AsyncClient, operation: str) -> httpx.Response:
    method, path = operation.split(" ", 1)
    url = concrete(path)
    if path == "/auth/token":
        return await client.post(url, data={"grant_type": "password", "username": "nobody"})  # no hash to check
    if method in {"POST", "PUT", "PATCH"}:
        return await client.request(method, url, json={}, headers={"If-Match": '"0"'})
    return await client.request(method, url)


async def test_the_table_covers_every_documented_operation(system: System) -> None:
    async with system.client() as client:
        document = (await client.get("/openapi.json")).json()
    documented = {
        f"{method.upper()} {path}"
        for path, item in document["paths"].items()
        for method in item
        if method in {"get", "post", "put", "patch", "delete"}
    }
    assert documented - set(EXPECTED) == set(), "operations missing from the matrix"
    assert set(EXPECTED) - documented == set(), "matrix rows for operations that do not exist"


def test_the_auditor_is_read_only_and_staff_routes_are_staff_only() -> None:
    for operation, allowed in EXPECTED.items():
        if "auditor" in allowed and not operation.startswith("GET "):
            assert operation in AUDITOR_SAFE_WRITES or allowed == frozenset(CALLERS), operation
        if operation.split(" ", 1)[1].startswith("/api/v1/"):
            assert "admin" in allowed, f"{operation}: admin passes every staff role check"
            assert not allowed & {"police", "anonymous"}, operation
        if operation.split(" ", 1)[1].startswith("/police/v1/"):
            assert allowed == {"police"}, operation


@pytest.mark.parametrize("operation", sorted(EXPECTED))
async def test_only_the_listed_roles_get_through(system: System, operation: str) -> None:
    allowed = EXPECTED[operation]

    async def attempt(caller: str) -> tuple[str, int, str]:
        async with system.client(token_for(system, caller)) as client:
            response = await call(client, operation)
        return caller, response.status_code, response.text[:200]

    results = [await attempt(caller) for caller in CALLERS]
    wrong: list[Any] = []
    for caller, status, text in results:
        if status >= 500:
            wrong.append((caller, status, "server error", text))
        elif caller in allowed and status in (401, 403):
            wrong.append((caller, status, "refused but listed", text))
        elif caller not in allowed and status not in ((401,) if caller == "anonymous" else (401, 403)):
            wrong.append((caller, status, "not listed but not refused", text))
    assert not wrong, wrong

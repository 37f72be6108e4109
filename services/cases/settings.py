"""Settings of the cases service (env prefix ``GREENLAW_CASES_``). Legal numbers are data here, not code."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from services.cases.domain.deadlines import Limits
from services.cases.domain.simple_procedure import SimpleProcedureLimits
from services.cases.domain.stages import Thresholds
from shared.contracts.common import DecisionKind
from shared.file_store import ContentStore
from shared.settings import ServiceSettings

DATA_DIR = Path(__file__).parent / "data"
DOCUMENT_MAX_BYTES = 50 * 1024 * 1024  # a rendered decision is tens of kilobytes; a bound all the same

DEFAULT_PREFIXES: dict[DecisionKind, str] = {
    DecisionKind.PENALTY: "津西青环罚",
    DecisionKind.SEIZURE: "津西青环查扣",
    DecisionKind.YELLOW_CARD: "津西青环黄牌",
    DecisionKind.ORDER_TO_CORRECT: "津西青环责改",
    DecisionKind.DAILY_PENALTY: "津西青环按日罚",
    DecisionKind.PRODUCTION_RESTRICTION: "津西青环限停",
}

CITATIONS: dict[str, str] = {
    "two_officers": "《中华人民共和国行政处罚法》第四十二条、第五十五条：执法人员不得少于两人，并应当出示执法证件",
    "credit_code": "GB 32100-2015《法人和其他组织统一社会信用代码编码规则》",
    "electronic_service": "《中华人民共和国行政处罚法》第六十一条：电子送达须经当事人同意并签订确认书",
    "qualified_legal_reviewer": "《中华人民共和国行政处罚法》第五十八条第二款：行政机关中初次从事行政处罚决定法制审核的"
    "人员，应当通过国家统一法律职业资格考试取得法律职业资格",
    "no_hearing_right": "《中华人民共和国行政处罚法》第六十三条：较大数额罚款、没收较大数额违法所得、"
    "没收较大价值非法财物等，当事人有权要求听证",
    "simple_procedure": "《中华人民共和国行政处罚法》第五十一条：对公民处以二百元以下、"
    "对法人或者其他组织处以三千元以下罚款或者警告的，可以当场作出行政处罚决定",
    "time_bar": "《中华人民共和国行政处罚法》第三十六条：违法行为在二年内未被发现的，不再给予行政处罚；"
    "涉及公民生命健康安全、金融安全且有危害后果的，上述期限延长至五年；期限从违法行为发生之日起计算，"
    "违法行为有连续或者继续状态的，从行为终了之日起计算",
    "preservation": "《中华人民共和国行政处罚法》第五十六条：先行登记保存的证据，应当在七日内及时作出处理决定",
    "hearing_notice": "《中华人民共和国行政处罚法》第六十四条第二项：行政机关应当在举行听证的七日前，"
    "通知当事人听证的时间、地点；第八十五条：七日指工作日",
}

# What a decision document tells the party (行政处罚法 §67, §72; 行政复议法 2023 §20, §24; 行政诉讼法 §46).
PAYMENT_TEXT = (
    "当事人应当自收到本决定书之日起十五日内，持本决定书到指定的银行或者通过电子支付系统缴纳罚没款。"
    "到期不缴纳罚款的，本局可以每日按罚款数额的百分之三加处罚款，加处罚款的数额不超过罚款的数额。"
)
REMEDIES_TEXT = (
    "当事人如不服本决定，可以自收到本决定书之日起六十日内向天津市西青区人民政府申请行政复议，"
    "也可以自收到本决定书之日起六个月内依法向人民法院提起行政诉讼。"
    "申请行政复议或者提起行政诉讼期间，本决定不停止执行，法律另有规定的除外。"
)


class CasesSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="GREENLAW_CASES_", extra="ignore")

    service_name: str = "cases"
    document_prefixes: dict[DecisionKind, str] = Field(
        default_factory=lambda: dict(DEFAULT_PREFIXES), description="文书编号前缀 per decision kind"
    )
    case_number_prefix: str = Field(default="津西青环立", description="立案编号前缀")
    authority: str = "天津市西青区生态环境局"
    authority_credit_code: str = ""
    thresholds: Thresholds = Field(default_factory=Thresholds, description="集体讨论金额 (fen)")
    hearing_thresholds_file: Path = Field(
        default=DATA_DIR / "hearing_thresholds.json", description="听证权 amounts: dated national rows"
    )
    hearing_thresholds_local_file: Path | None = Field(
        default=None, description="听证权 amounts of a local rule: dated rows that win while in force"
    )
    legal_qualification_required_from: date = Field(
        default=date(2021, 7, 15),
        description="法制审核: who first takes up the work from this day needs the qualification",
    )
    review_meeting_for_every_penalty: bool = Field(
        default=True, description="本局做法: every filed penalty case goes to the case review meeting (案件审议会)"
    )
    limits: Limits = Field(default_factory=Limits, description="期限 (days)")
    thresholds_file: Path = Field(default=DATA_DIR / "serious_pollution.json", description="严重污染环境 thresholds")
    random_inspection_rates_file: Path = Field(
        default=DATA_DIR / "random_inspection_rates.json",
        description="双随机抽查比例: the first dated rows (loaded when the rates table is empty)",
    )
    citations: dict[str, str] = Field(default_factory=lambda: dict(CITATIONS))
    evidence_dir: Path | None = Field(default=None, description="content-addressed evidence store; data_dir/evidence")
    evidence_max_bytes: int = 200 * 1024 * 1024
    documents_dir: Path | None = Field(
        default=None, description="content-addressed store of the decision documents (PDF); data_dir/documents"
    )
    document_payment: str = Field(
        default=PAYMENT_TEXT, description="履行方式和期限 as printed on a decision with money"
    )
    document_remedies: str = Field(default=REMEDIES_TEXT, description="救济途径 as printed on every decision")
    seizure_max_days: int = 30
    restriction_max_months: int = 3
    simple_procedure: SimpleProcedureLimits = Field(
        default_factory=SimpleProcedureLimits, description="简易程序 fine ceilings (fen): individual, organisation"
    )

    def resolved_evidence_dir(self) -> Path:
        return self.evidence_dir or self.common.data_dir / "evidence"

    def evidence_store(self) -> ContentStore:
        return ContentStore(self.resolved_evidence_dir(), max_bytes=self.evidence_max_bytes)

    def resolved_documents_dir(self) -> Path:
        return self.documents_dir or self.common.data_dir / "documents"

    def document_store(self) -> ContentStore:
        return ContentStore(self.resolved_documents_dir(), max_bytes=DOCUMENT_MAX_BYTES)

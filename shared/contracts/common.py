"""Value types shared by several event contracts."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from shared.fields import Fen, Text


class DecisionKind(StrEnum):
    """决定种类 — the decision kinds of domain §2."""

    PENALTY = "penalty"  # 行政处罚决定书
    SEIZURE = "seizure"  # 查封扣押决定书
    YELLOW_CARD = "yellow_card"  # 环保"黄牌"警示通知书
    ORDER_TO_CORRECT = "order_to_correct"  # 责令改正违法行为决定书
    DAILY_PENALTY = "daily_penalty"  # 按日连续处罚
    PRODUCTION_RESTRICTION = "production_restriction"  # 限产、停产整治


class PartyType(StrEnum):
    """当事人类型."""

    ORGANISATION = "organisation"  # 法人及非法人组织
    INDIVIDUAL = "individual"  # 自然人
    SOLE_TRADER = "sole_trader"  # 个体工商户


class Medium(StrEnum):
    """Environmental medium, for statistics and referrals."""

    WATER = "water"
    AIR = "air"
    SOIL = "soil"
    SOLID_WASTE = "solid_waste"  # solid and hazardous waste
    NOISE = "noise"
    RADIATION = "radiation"
    OTHER = "other"


class PartySnapshot(BaseModel):
    """The party as recorded on a decision. Identity numbers are carried for the record; disclosure redacts them."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    party_id: str
    party_type: PartyType
    name: str = Field(description="名称或姓名")
    credit_code: str | None = Field(default=None, description="统一社会信用代码 (organisations, sole traders)")
    id_number: str | None = Field(default=None, description="居民身份证号 (individuals); never published")
    legal_representative: str | None = Field(default=None, description="法定代表人")
    address: str | None = None
    town: str | None = Field(default=None, description="街镇")
    phone: str | None = Field(default=None, description="联系电话 as recorded on the decision; never published")
    legal_representative_id_number: str | None = Field(
        default=None, description="法定代表人居民身份证号码; never published (Credit China receives it, unpublished)"
    )


class PenaltyTerms(BaseModel):
    """处罚内容. Money in integer fen (分)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    fine_fen: Fen = Field(default=0, description="罚款, in fen")
    confiscation_fen: Fen = Field(default=0, description="没收违法所得, in fen")
    warning: bool = Field(default=False, description="警告")
    licence_measure: Text | None = Field(default=None, description="暂扣/吊销许可证 etc.")
    other_measures: list[Text] = Field(default_factory=list, description="责令停产整治 etc.")
    summary: Text = Field(default="", description="处罚结果 as written in the decision")

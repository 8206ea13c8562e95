import pytest
from pydantic import ValidationError

from knowledge.schema import Item, KnowledgeBase, load_kb


def test_county_hall_loads(county_kb_path):
    kb = load_kb(county_kb_path)
    assert kb.hall.name == "示范县政务服务中心"
    assert len(kb.items) == 77
    assert kb.item("SF-GA-001").name == "居民身份证首次申领"


def test_guangdong_loads(guangdong_kb_path):
    kb = load_kb(guangdong_kb_path)
    assert len(kb.items) == 2262


@pytest.mark.parametrize(
    "patch",
    [
        {"bogus": 1},
        {"visits": "2"},
        {"updated": "2024-13-01"},
        {"materials": [{"name": "x", "copies": True}]},
    ],
    ids=["unknown-key", "string-for-int", "bad-date", "bool-for-int"],
)
def test_item_rejects(patch):
    data = {"code": "A", "name": "n", "department": "d", "materials": []} | patch
    with pytest.raises(ValidationError):
        Item.model_validate(data)


def test_duplicate_codes_rejected():
    item = {"code": "A", "name": "n", "department": "d", "materials": []}
    with pytest.raises(ValidationError, match="重复"):
        KnowledgeBase.model_validate(
            {"format": "guidebot-kb/1", "hall": {"name": "h"}, "items": [item, item]}
        )

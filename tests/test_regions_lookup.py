"""Finding a region by what people write: codes, names with or without suffix, former names."""

import sqlalchemy as sa

from tracker.models import Region
from tracker.regions.lookup import find_regions, regions_in_text


def keys(regions) -> list[str]:
    return [region.key for region in regions]


def region(db, key: str) -> Region:
    return db.session.scalar(sa.select(Region).where(Region.key == key))


LONGNAN_AS_WRITTEN = ["360783", "龙南市", "龙南", "龙南县", "360727", " 龙南市 ", "３６０７８３",
                     "江西省赣州市龙南市", "赣州市龙南县", "赣州龙南"]
AS_WRITTEN = {
    "海门": ["320614"], "海门市": ["320614"], "320684": ["320614"], "海门区": ["320614"],
    "江西": ["360000"], "广西": ["450000"], "内蒙古": ["150000"], "新疆": ["650000"],
    "成都": ["510100"], "510100": ["510100"], "海陵试验区": ["441700-hailing"],
    "仙桃": ["429004"], "阳春": ["441781"],
}


def test_longnan_is_found_however_it_is_written(db, country):
    for query in LONGNAN_AS_WRITTEN:
        assert keys(find_regions(query)) == ["360783"], query


def test_names_with_and_without_suffix(db, country):
    for query, expected in AS_WRITTEN.items():
        assert keys(find_regions(query)) == expected, query


def test_two_regions_of_one_name_are_both_found_and_within_tells_them_apart(db, country):
    assert keys(find_regions("朝阳区")) == ["110105", "220104"]
    assert keys(find_regions("朝阳区", within=region(db, "220000"))) == ["220104"]


def test_the_beginning_of_an_autonomous_name_finds_it(db, country):
    # 恩施 is both 恩施土家族苗族自治州 and 恩施市 under it.
    assert keys(find_regions("恩施")) == ["422800", "422801"]


def test_nothing_is_found_for_what_names_no_region(db, country):
    for query in ["", None, "   ", "不存在的地方", "999999", "市"]:
        assert find_regions(query) == [], query


def test_regions_named_in_a_plans_text(db, country):
    text = ("推进龙南第五人民医院（公立中医院）建设，支持全南县、定南县疾控中心建设；"
            "原龙南县人民医院改扩建。城区医疗资源向郊区延伸。")
    mentions = regions_in_text(text, within=region(db, "360700"))
    assert [(m.text, keys(m.regions), m.how) for m in mentions] == [
        ("龙南", ["360783"], "short"),
        ("全南县", ["360729"], "name"),
        ("定南县", ["360728"], "name"),
        ("龙南县", ["360783"], "former"),
    ]
    assert text[mentions[0].start:mentions[0].end] == "龙南"


def test_within_keeps_a_plan_of_one_city_from_finding_another_citys_district(db, country):
    text = "阳江市江城区人民医院与城区卫生院"
    everywhere = regions_in_text(text)
    assert [m.text for m in everywhere] == ["阳江市", "江城区"]
    assert [keys(m.regions) for m in regions_in_text(text, within=region(db, "441700"))] == [
        ["441700"], ["441702"]]
    assert regions_in_text("朝阳区", within=region(db, "441700")) == []


def test_everyday_words_are_not_taken_for_regions(db, country):
    """合作, 安宁, 资源 are short names of counties; 高县 hides in 提高县级; 城区 is a word."""
    text = "加强合作，资源下沉，提高县级医院服务能力，城区与郊区协同，保持社会安宁。"
    assert regions_in_text(text) == []
    assert regions_in_text(text, within=region(db, "360700")) == []


def test_a_new_region_is_found_at_once(db, country):
    """The in-memory index follows the table: a region added now is found by the next lookup."""
    assert find_regions("高新区") == [] or all(r.key != "441700-hitech" for r in find_regions("高新区"))
    yangjiang = region(db, "441700")
    db.session.add(Region(key="441700-hitech", code=None, name="阳江高新区", level="zone",
                          parent=yangjiang, path=yangjiang.path + "441700-hitech/"))
    db.session.commit()
    assert keys(find_regions("阳江高新区")) == ["441700-hitech"]


def test_tracker_regions_find_prints_codes_and_full_names(app, db, country):
    from tracker.regions.cli import regions as regions_command
    result = app.test_cli_runner().invoke(regions_command, ["find", "龙南县"])
    assert result.exit_code == 0
    assert result.output == "360783\t江西省赣州市龙南市\t(formerly 龙南县 360727)\n"
    two = app.test_cli_runner().invoke(regions_command, ["find", "朝阳区"]).output.splitlines()
    assert two == ["110105\t北京市朝阳区", "220104\t吉林省长春市朝阳区"]
    nowhere = app.test_cli_runner().invoke(regions_command, ["find", "不存在"])
    assert nowhere.exit_code == 1 and "no region is named" in nowhere.output

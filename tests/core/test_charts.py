"""The server-drawn charts: accessible SVG whose texts are escaped."""

from __future__ import annotations

from xml.etree import ElementTree

from kuntarobo.core.charts import Point, Series, bar_chart, line_chart, nice_ceiling, scatter_chart

SVG = "{http://www.w3.org/2000/svg}"


def test_a_line_chart_is_an_image_named_by_its_title_and_description():
    svg = line_chart(
        "Tunnit <säästetty>",
        "Kuukausittain",
        ["1/2026", "2/2026", "3/2026"],
        [Series("Toteutunut", [10, None, 30]), Series("Suunniteltu", [20, 20, 20])],
        y_label="h",
    )
    root = ElementTree.fromstring(svg)
    assert root.get("role") == "img"
    title_id, desc_id = root.get("aria-labelledby", "").split()
    assert root.find(f"{SVG}title").get("id") == title_id
    assert root.find(f"{SVG}title").text == "Tunnit <säästetty>"
    assert root.find(f"{SVG}desc").get("id") == desc_id
    assert len(root.findall(f"{SVG}polyline")) == 2


def test_bars_are_drawn_for_every_value_given_and_none_for_missing_ones():
    svg = bar_chart(
        "Ennen ja jälkeen",
        "Keskiarvot",
        ["A", "B"],
        [Series("Ennen", [2.5, None]), Series("Jälkeen", [4.0, 3.5])],
        y_label="1–5",
    )
    root = ElementTree.fromstring(svg)
    # the background, three bars and two legend boxes
    assert len(root.findall(f"{SVG}rect")) == 1 + 3 + 2


def test_a_scatter_dot_with_a_link_is_reachable_and_labelled():
    svg = scatter_chart(
        "Arvo ja helppous",
        "Ideat",
        [Point('Idea "1" & <2>', 2.0, 100.0, href="/portfolio/ideas/1/"), Point("B", 4.0, 50.0)],
        x_label="Helppous",
        y_label="Tuntia",
    )
    root = ElementTree.fromstring(svg)
    links = root.findall(f"{SVG}a")
    assert [a.get("aria-label") for a in links] == ['Idea "1" & <2>']
    assert len(root.findall(f".//{SVG}circle")) == 2


def test_the_axis_maximum_is_a_round_number_at_or_above_the_largest_value():
    assert nice_ceiling(0) == 1
    assert nice_ceiling(7) == 10
    assert nice_ceiling(180) == 200
    assert nice_ceiling(2400) == 2500
    assert nice_ceiling(0.3) == 0.5


def test_a_scatter_chart_with_links_is_a_figure_since_an_image_may_hold_no_links():
    linked = ElementTree.fromstring(
        scatter_chart("T", "D", [Point("A", 1, 2, href="/a/")], x_label="x", y_label="y")
    )
    plain = ElementTree.fromstring(
        scatter_chart("T", "D", [Point("A", 1, 2)], x_label="x", y_label="y")
    )
    assert (linked.get("role"), plain.get("role")) == ("figure", "img")

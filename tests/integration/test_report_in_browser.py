# -*- coding: utf-8 -*-
# Copyright (c) seatops.seats contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The HTML reconcile report as a reader sees it, in a real browser (issue 13 item 7).

A real apply of the reconcile role against the sandbox (report_scenario.py: changes on four
products, one Store product refused by the API, prices in two currencies) writes the report;
headless Chromium (Debian's ``chromium``, installed by ``tests/scripts/ensure_chromium.sh``,
which ``run_all.sh`` runs before the integration stages) renders it. The assertions read the
DOM Chromium built (banner text and colour class, the totals, one product's row, one person)
and the screenshot's pixels (the banner is painted red, not green). The page, its JSON and the
screenshot stay in ``tests/output/browser/`` for people to look at.

A missing browser fails the test: the test setup installs it.
"""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
import tempfile
import zlib
from html.parser import HTMLParser

import report_scenario as scenario
from report_scenario import email

CHROMIUM = os.environ.get("SEATOPS_CHROMIUM", "/usr/bin/chromium")
HERE = os.path.dirname(os.path.abspath(__file__))
OUTPUT = os.path.join(os.path.dirname(HERE), "output", "browser")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--hide-scrollbars", "--force-device-scale-factor=1"]
WIDTH, HEIGHT = 1280, 2000
# The template's colours (roles/reconcile/templates/reconcile_report.html.j2): the banner's
# background when a product failed (--del-bg), after a clean apply (--ok-bg), in an audit (--warn-bg).
RED_BG, GREEN_BG, YELLOW_BG = (0xfb, 0xe9, 0xe7), (0xe5, 0xf4, 0xeb), (0xff, 0xf4, 0xdc)


# -- the browser ----------------------------------------------------------------------------------

def chromium(*args):
    """Run headless Chromium with a fresh profile; its stdout."""
    assert os.access(CHROMIUM, os.X_OK), (
        "%s is missing: the test setup installs it (tests/scripts/ensure_chromium.sh, run by "
        "tests/scripts/run_all.sh before the integration stages)" % CHROMIUM)
    profile = tempfile.mkdtemp(prefix="seatops-chromium-")
    try:
        done = subprocess.run([CHROMIUM] + FLAGS + ["--user-data-dir=" + profile] + list(args),
                              capture_output=True, text=True, timeout=180, check=False)
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


# -- the DOM, with the standard library -----------------------------------------------------------

BLOCK = {"div", "p", "li", "ul", "tr", "td", "th", "dt", "dd", "h1", "h2", "h3", "section", "table"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class Element(object):
    def __init__(self, tag, attrs, parent=None):
        self.tag, self.attrs, self.parent, self.children = tag, dict(attrs), parent, []

    @property
    def classes(self):
        return (self.attrs.get("class") or "").split()

    def text(self):
        """The text a reader sees: blocks (a div, a list item) apart, spaces collapsed."""
        parts = [child if isinstance(child, str) else
                 (" %s " if child.tag in BLOCK else "%s") % child.text() for child in self.children]
        return " ".join("".join(parts).replace("\xa0", " ").split())

    def iter(self):
        for child in self.children:
            if isinstance(child, Element):
                yield child
                yield from child.iter()

    def find_all(self, tag=None, cls=None, **attrs):
        return [element for element in self.iter()
                if (tag is None or element.tag == tag) and (cls is None or cls in element.classes)
                and all(element.attrs.get(key.replace("_", "-")) == value for key, value in attrs.items())]

    def find(self, tag=None, cls=None, **attrs):
        found = self.find_all(tag, cls, **attrs)
        assert len(found) == 1, "%d <%s class=%s %s> elements" % (len(found), tag, cls, attrs)
        return found[0]


class DomParser(HTMLParser):
    """The serialised DOM (``--dump-dom``) as an Element tree: Chromium closes every element."""

    def __init__(self):
        HTMLParser.__init__(self, convert_charrefs=True)
        self.root = self.current = Element("#document", {})

    def handle_starttag(self, tag, attrs):
        element = Element(tag, attrs, self.current)
        self.current.children.append(element)
        if tag not in VOID:
            self.current = element

    def handle_endtag(self, tag):
        node = self.current
        while node is not self.root and node.tag != tag:
            node = node.parent
        if node is not self.root:
            self.current = node.parent

    def handle_data(self, data):
        self.current.children.append(data)


def dom(text):
    parser = DomParser()
    parser.feed(text)
    parser.close()
    return parser.root


def cells(row):
    return [cell.text() for cell in row.find_all("td")]


# -- the screenshot, with the standard library ---------------------------------------------------

def top_pixels(path, rows):
    """The RGB pixels of the first ``rows`` rows of an 8-bit, non-interlaced RGB(A) PNG."""
    with open(path, "rb") as handle:
        data = handle.read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "%s is not a PNG" % path
    offset, idat, header = 8, [], None
    while offset < len(data):
        length, kind = struct.unpack(">I4s", data[offset:offset + 8])
        body = data[offset + 8:offset + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat.append(body)
        offset += 12 + length
    width, height, depth, colour, _compression, _filter, interlace = header
    assert depth == 8 and colour in (2, 6) and interlace == 0, header
    channels = 4 if colour == 6 else 3
    stride = width * channels
    rows = min(rows, height)
    raw = zlib.decompressobj().decompress(b"".join(idat), rows * (stride + 1))
    previous, pixels = bytearray(stride), []
    for number in range(rows):
        kind, line = raw[number * (stride + 1)], bytearray(raw[number * (stride + 1) + 1:(number + 1) * (stride + 1)])
        for index in range(stride):
            left = line[index - channels] if index >= channels else 0
            up = previous[index]
            corner = previous[index - channels] if index >= channels else 0
            if kind == 1:
                line[index] = (line[index] + left) & 0xff
            elif kind == 2:
                line[index] = (line[index] + up) & 0xff
            elif kind == 3:
                line[index] = (line[index] + (left + up) // 2) & 0xff
            elif kind == 4:
                guess = left + up - corner
                near = min((abs(guess - left), 0, left), (abs(guess - up), 1, up), (abs(guess - corner), 2, corner))
                line[index] = (line[index] + near[2]) & 0xff
        pixels.extend(tuple(line[index:index + 3]) for index in range(0, stride, channels))
        previous = line
    return (width, height), pixels


# -- the test ----------------------------------------------------------------------------------

def test_a_failed_apply_with_costs_as_a_reader_sees_it(sandbox, run_playbook, tmp_path):
    done, report, html_path = scenario.run(sandbox, run_playbook, tmp_path, "seat-report-failed-apply",
                                           fail_store=True)
    assert report is not None and report["mode"] == "apply", done.output[-3000:]
    assert report["totals"]["with_errors"] == 1 and report["costs"], report["totals"]

    # Kept for people to look at: the page, its data and what Chromium drew.
    if os.path.isdir(OUTPUT):
        shutil.rmtree(OUTPUT)
    os.makedirs(OUTPUT)
    page = os.path.join(OUTPUT, "seat-report-failed-apply.html")
    shutil.copyfile(html_path, page)
    shutil.copyfile(str(tmp_path / "seat-report-failed-apply.json"), os.path.join(OUTPUT, "seat-report-failed-apply.json"))
    screenshot = os.path.join(OUTPUT, "seat-report-failed-apply.png")
    url = "file://" + os.path.abspath(page)

    document = dom(chromium("--dump-dom", url))
    chromium("--screenshot=" + screenshot, "--window-size=%d,%d" % (WIDTH, HEIGHT), url)

    # The banner: red (class failed) and naming the product that failed.
    banner = document.find("div", "banner")
    assert banner.classes == ["banner", "failed"]
    assert banner.text() == ("Applied with errors: 1 of 5 product(s) failed (9NBLGGH4R2R6/0016). Only what is "
                             "listed as assigned or reclaimed was done; see each product below.")
    assert document.find("title").text().startswith("Seat reconcile report")

    # The cards a manager reads first.
    cards = dict((card.find("div", "label").text(), card.find("div", "value").text())
                 for card in document.find_all("div", "card"))
    assert cards["product(s) with changes"] == "4" and cards["product(s) with errors or failures"] == "1"
    assert cards["seat(s) assigned"] == "4" and cards["seat(s) reclaimed"] == "3"
    assert cards["seat(s) on demand (above max holders)"] == "1"
    assert cards["saving per month: 138.00 EUR before → 112.00 EUR after"] == "26.00 EUR"
    assert cards["extra cost per month: 25.00 USD before → 75.00 USD after"] == "50.00 USD"

    # The table's columns say before or after, and its totals are per currency.
    table = document.find("table", "summary")
    assert [cell.text() for cell in table.find("thead").find_all("th")] == [
        "Product", "Platform", "Status", "Holders before", "Change (done)", "Holders after", "Ceiling",
        "Available / capacity", "Cost / month before", "Cost / month after", "Saving / month"]
    total = table.find("tr", "total")
    assert cells(total) == ["Total", "5 product(s)", "", "12", "+4 / −3", "13", "1 on demand", "",
                            "138.00 EUR 25.00 USD", "112.00 EUR 75.00 USD", "26.00 EUR 50.00 USD more"]
    assert [div.text() for div in total.find_all("div", "saving")] == ["26.00 EUR", "50.00 USD more"]

    # One product's row: on_call lost eli's seat and is one above its ceiling (on demand).
    on_call = table.find("tr", "product-row", data_product="on_call")
    assert cells(on_call) == ["on_call", "Datadog", "1 reclaimed", "5", "+0 / −1", "4", "max 3 · 1 on demand", "–",
                              "100.00 EUR", "80.00 EUR", "20.00 EUR"]
    assert [badge.text() for badge in on_call.find_all("span", "status")] == ["1 reclaimed"]
    failed = table.find("tr", "product-row", data_product="9NBLGGH4R2R6/0016")
    assert cells(failed)[2] == "failed 2 change(s) failed"
    assert [badge.classes for badge in failed.find_all("span", "status")] == [["status", "error"]] * 2

    # One person: eli is listed under "Reclaimed (1)" in on_call's section, and nowhere as assigned.
    section = document.find("section", "product", id="p1")
    lists = dict((block.find("h3").text(), [item.text() for item in block.find_all("li")])
                 for block in section.find("div", "lists").find_all("div") if block.find_all("h3"))
    assert lists["Reclaimed (1)"] == [email("eli")] and lists["Assigned (0)"] == []
    assert "changes" not in [badge.text() for badge in document.find_all("span", "status")]

    # What Chromium painted: the banner's red background near the top, no green or yellow one.
    size, pixels = top_pixels(screenshot, 320)
    assert size == (WIDTH, HEIGHT)
    assert pixels.count(RED_BG) > 20000, "the banner is not painted red"
    assert pixels.count(GREEN_BG) == 0 and pixels.count(YELLOW_BG) == 0

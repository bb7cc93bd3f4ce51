#!/usr/bin/python3
"""Recalculate a SUMIFS consolidation workbook in LibreOffice: the way
finance consolidates department plans today.

Usage: /usr/bin/python3 sumifs_recalc.py WORKBOOK.xlsx TOP_DEPARTMENT...

WORKBOOK has a "Data" sheet of plan lines and a "Gap register" sheet of one
row per department and account group: department (A), group (B), twelve
SUMIFS months (C-N), total (O), target (P) and gap (Q), under one header
row. The script starts a headless soffice with a private profile, then times
loading the workbook and calculateAll() separately (soffice's own start is
not timed), reads the register back and prints one JSON line:

  load_s, recalc_s, read_s  seconds of each step
  company_total             sum of the total cells of the TOP_DEPARTMENT
                            rows (the company), to the cent
  register_total            sum of every total cell, to the cent
  totals, gaps              every row's total and gap cell as LibreOffice
                            holds them (doubles), in sheet order

The aop benchmark (BenchmarkConsolidateVsLibreOffice) runs this script and
checks every figure against aop's consolidation of the same plans.
"""
import json
import math
import os
import sys
import time

import uno

# The soffice harness of the LibreOffice tests (cmd/internal/lotest).
sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lotest"))
from lofill import office, prop  # noqa: E402


def cents(values):
    """Return the sum of values, added exactly, as a string with two
    decimals."""
    return "%.2f" % math.fsum(values)


def recalc(desktop, path, top):
    """Load, recalculate and read back the workbook at path; return the
    report."""
    url = uno.systemPathToFileUrl(os.path.abspath(path))
    start = time.perf_counter()
    doc = desktop.loadComponentFromURL(url, "_blank", 0, (prop("Hidden", True), prop("ReadOnly", True)))
    load_s = time.perf_counter() - start
    if doc is None:
        raise SystemExit("LibreOffice could not open " + path)
    try:
        start = time.perf_counter()
        doc.calculateAll()
        recalc_s = time.perf_counter() - start

        start = time.perf_counter()
        sheet = doc.getSheets().getByName("Gap register")
        cursor = sheet.createCursor()
        cursor.gotoEndOfUsedArea(False)
        last = cursor.getRangeAddress().EndRow + 1  # 1-based
        rows = sheet.getCellRangeByName("A2:Q%d" % last).getDataArray()
        read_s = time.perf_counter() - start
    finally:
        doc.close(True)

    totals = [r[14] for r in rows]
    gaps = [r[16] for r in rows]
    for i, (t, g) in enumerate(zip(totals, gaps)):
        if not isinstance(t, float) or not isinstance(g, float):
            raise SystemExit("Gap register row %d: total %r, gap %r are not numbers" % (i + 2, t, g))
    return {
        "load_s": load_s,
        "recalc_s": recalc_s,
        "read_s": read_s,
        "rows": len(rows),
        "company_total": cents(r[14] for r in rows if r[0] in top),
        "register_total": cents(totals),
        "totals": totals,
        "gaps": gaps,
    }


def main(path, top):
    """Run soffice, recalculate the workbook and print the report."""
    with office("sumifs") as desktop:
        report = recalc(desktop, path, set(top))
    print(json.dumps(report))


if __name__ == "__main__":
    if len(sys.argv) < 3:
        sys.exit("usage: sumifs_recalc.py WORKBOOK.xlsx TOP_DEPARTMENT...")
    main(sys.argv[1], sys.argv[2:])

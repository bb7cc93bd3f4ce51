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
import shutil
import subprocess
import sys
import tempfile
import time

import uno
from com.sun.star.beans import PropertyValue


def prop(name, value):
    """Return a UNO PropertyValue."""
    p = PropertyValue()
    p.Name, p.Value = name, value
    return p


def connect(pipe):
    """Return the Desktop of the soffice listening on pipe, waiting up to a
    minute for it to start."""
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
    deadline = time.time() + 60
    while True:
        try:
            ctx = resolver.resolve("uno:pipe,name=%s;urp;StarOffice.ComponentContext" % pipe)
            return ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
        except Exception:
            if time.time() > deadline:
                raise
            time.sleep(0.2)


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
    profile = tempfile.mkdtemp(prefix="sumifs-profile-")
    pipe = "sumifs%d" % os.getpid()
    office = subprocess.Popen([
        "soffice", "--headless", "--invisible", "--norestore", "--nologo", "--nodefault",
        "-env:UserInstallation=file://" + profile,
        "--accept=pipe,name=%s;urp;" % pipe,
    ], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    desktop = None
    try:
        desktop = connect(pipe)
        report = recalc(desktop, path, set(top))
    finally:
        try:
            if desktop is not None:
                desktop.terminate()
        except Exception:
            pass
        try:
            office.wait(timeout=20)
        except subprocess.TimeoutExpired:
            office.kill()
            office.wait()
        shutil.rmtree(profile, ignore_errors=True)
    print(json.dumps(report))


if __name__ == "__main__":
    if len(sys.argv) < 3:
        sys.exit("usage: sumifs_recalc.py WORKBOOK.xlsx TOP_DEPARTMENT...")
    main(sys.argv[1], sys.argv[2:])

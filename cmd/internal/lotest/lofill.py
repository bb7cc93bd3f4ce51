#!/usr/bin/python3
"""Fill .xlsx workbooks in a real LibreOffice, as a person typing would.

Usage: lofill.py JOBS.json

JOBS.json is a list of jobs: {"input": path, "output": path, "edits": [...]}.
Each edit is {"sheet": name, "cell": "F5", "type": text} (entered like typed
input: "1234.5" becomes a number, "22%" a percentage, "two" text) or
{"sheet", "cell", "text": s} (always text). A job with no edits re-saves the
file. Every output is saved as Excel 2007-365 .xlsx. One soffice process
serves all jobs; it runs with a private profile and is stopped at the end.
"""
import contextlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

import uno
from com.sun.star.beans import PropertyValue


def prop(name, value):
    p = PropertyValue()
    p.Name, p.Value = name, value
    return p


def connect(pipe):
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


@contextlib.contextmanager
def office(name):
    """Start a headless soffice with a private profile listening on a pipe
    named after name, yield its Desktop, and stop it and remove the profile
    at the end."""
    profile = tempfile.mkdtemp(prefix=name + "-profile-")
    pipe = "%s%d" % (name, os.getpid())
    proc = subprocess.Popen([
        "soffice", "--headless", "--invisible", "--norestore", "--nologo", "--nodefault",
        "-env:UserInstallation=file://" + profile,
        "--accept=pipe,name=%s;urp;" % pipe,
    ], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    desktop = None
    try:
        desktop = connect(pipe)
        yield desktop
    finally:
        try:
            if desktop is not None:
                desktop.terminate()
        except Exception:
            pass
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        shutil.rmtree(profile, ignore_errors=True)


def main():
    jobs = json.load(open(sys.argv[1]))
    with office("lofill") as desktop:
        for job in jobs:
            url = uno.systemPathToFileUrl(os.path.abspath(job["input"]))
            doc = desktop.loadComponentFromURL(url, "_blank", 0, (prop("Hidden", True),))
            if doc is None:
                raise SystemExit("LibreOffice could not open " + job["input"])
            sheets = doc.getSheets()
            for e in job.get("edits") or []:
                cell = sheets.getByName(e["sheet"]).getCellRangeByName(e["cell"])
                if "text" in e:
                    cell.setString(e["text"])
                else:
                    cell.setFormula(e["type"])
            out = uno.systemPathToFileUrl(os.path.abspath(job["output"]))
            doc.storeToURL(out, (prop("FilterName", "Calc MS Excel 2007 XML"), prop("Overwrite", True)))
            doc.close(True)


if __name__ == "__main__":
    main()

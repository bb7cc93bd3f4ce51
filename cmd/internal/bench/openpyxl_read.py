#!/usr/bin/python3
"""Read every cell of every sheet of each .xlsx file given, with openpyxl in
read-only mode: the way finance scripts read department workbooks today.

Usage: /usr/bin/python3 openpyxl_read.py FILE...

Prints one line: the number of files and of non-empty cells read. The aop
benchmarks (excel/bench) time this script against `aop harvest` on the same
files.
"""

import sys

import openpyxl


def main(paths):
    files = cells = 0
    for path in paths:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
        try:
            for ws in wb.worksheets:
                for row in ws.iter_rows(values_only=True):
                    for value in row:
                        if value is not None:
                            cells += 1
        finally:
            wb.close()
        files += 1
    print(f"files {files} cells {cells}")


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit("usage: openpyxl_read.py FILE...")
    main(sys.argv[1:])

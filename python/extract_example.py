"""Writes the code block that follows `<!-- example: NAME -->` in a Markdown file to DIR/NAME,
so CI runs the docs' examples exactly as printed.

    python3 python/extract_example.py docs/testing.md NAME DIR
"""

import os
import re
import sys


def main():
    doc, name, out_dir = sys.argv[1:]
    with open(doc, encoding="utf-8") as f:
        text = f.read()
    found = re.search(r"<!-- example: %s -->\s*```[a-z]*\n(.*?)\n```" % re.escape(name), text, re.S)
    if not found:
        sys.exit("%s has no example %s" % (doc, name))
    with open(os.path.join(out_dir, name), "w", encoding="utf-8") as f:
        f.write(found.group(1) + "\n")


if __name__ == "__main__":
    main()

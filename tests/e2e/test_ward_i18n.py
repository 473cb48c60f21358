"""Every string key the ward pages use has a Vietnamese and an English entry.

Scans web/pages/{incidents,stats,criteria}.js for t('inc.…'), t('st.…'),
t('cr.…') (and the template forms t(`inc.status.${…}`) against their known
value lists) and checks web/i18n/vi.json and en.json.  A key missing in
either language is a failure (expected vs seen printed).  No server needed.
"""
import json
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from wwapi import SRC, check, finish  # noqa: E402

PAGES = ["incidents.js", "stats.js", "criteria.js"]
# Template keys: prefix → the values the code fills in.
TEMPLATES = {
    "inc.status.": ["received", "verifying", "solved", "closed"],
    "inc.fig.": ["suspects", "drug_grams", "deaths", "injuries", "damage_vnd"],
    "inc.hist.": ["created", "updated", "deleted"],
    "inc.field.": ["ward", "category", "occurred_at", "address", "latitude", "longitude", "summary", "status",
                   "suspects", "drug_grams", "deaths", "injuries", "damage_vnd", "camera_ids", "export_ids"],
    "st.kind.": ["month", "quarter", "year", "custom"],
    "cr.result.": ["met", "not_met", "in_progress"],
    "cr.side.": ["self", "review"],
}


def main():
    dicts = {}
    for lang in ("vi", "en"):
        with open(os.path.join(SRC, "web", "i18n", f"{lang}.json"), encoding="utf-8") as f:
            dicts[lang] = json.load(f)
    used = set()
    for p in PAGES:
        with open(os.path.join(SRC, "web", "pages", p), encoding="utf-8") as f:
            text = f.read()
        used |= set(re.findall(r"t\('((?:inc|st|cr)\.[a-z_.]+)'", text))
        for prefix in re.findall(r"t\(`((?:inc|st|cr)\.[a-z_.]*\.)\$\{", text):
            check(prefix in TEMPLATES, f"{p}: template key {prefix}… has a known value list", "known", prefix)
            used |= {prefix + v for v in TEMPLATES.get(prefix, [])}
    check(len(used) > 100, "the pages use the ward keys", "> 100 keys", len(used))
    for lang, d in dicts.items():
        missing = sorted(k for k in used if k not in d or not str(d[k]).strip())
        check(not missing, f"every ward key has a {lang} string", [], missing)
    finish()


if __name__ == "__main__":
    main()

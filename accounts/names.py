"""The certificate's Latin name, suggested from the Chinese one (张三 → ZHANG San).

Chinese order, the family name in capitals and the given name as one capitalised word, as
passports and most certificates write it. The family name is read as a family name: several
characters have another reading there (单 Shan, not dan; 曾 Zeng, not ceng), and two-character
family names (欧阳, 司马) stay one word. A suggestion only: the person confirms or corrects it.
"""

from __future__ import annotations

import re

from pypinyin import Style, lazy_pinyin

# Family names whose reading as a family name is not the everyday one pypinyin gives.
FAMILY_NAME_READINGS = {
    "单": "shan", "曾": "zeng", "解": "xie", "仇": "qiu", "区": "ou", "朴": "piao", "查": "zha",
    "乐": "yue", "覃": "qin", "盖": "ge", "缪": "miao", "翟": "zhai", "尉迟": "yuchi",
    "长孙": "zhangsun", "万俟": "moqi", "澹台": "tantai", "召": "shao", "繁": "po", "员": "yun",
    "秘": "bi", "种": "chong", "折": "she", "黑": "he", "祭": "zhai", "句": "gou",
}
COMPOUND_FAMILY_NAMES = {
    "欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙", "宇文", "司徒",
    "夏侯", "令狐", "端木", "轩辕", "独孤", "南宫", "西门", "百里", "呼延", "万俟", "澹台", "闻人",
}
_HAN = re.compile(r"^[\u3400-\u9fff\uf900-\ufaff·]+$")


def _read(characters: str) -> str:
    # ü as Chinese passports write it: 吕 LYU, 女 NYU.
    return "".join(lazy_pinyin(characters, style=Style.NORMAL, v_to_u=False)).replace("v", "yu")


def pinyin_name_suggestion(name_zh: str) -> str:
    """'ZHANG San' for 张三; '' when the name is not written in Chinese characters only."""
    name = name_zh.strip().replace(" ", "")
    if len(name) < 2 or not _HAN.match(name):
        return ""
    split = 2 if name[:2] in COMPOUND_FAMILY_NAMES and len(name) > 2 else 1
    family, given = name[:split], name[split:]
    family_latin = FAMILY_NAME_READINGS.get(family) or _read(family)
    return f"{family_latin.upper()} {_read(given.replace('·', '')).capitalize()}"

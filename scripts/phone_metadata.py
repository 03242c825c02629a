#!/usr/bin/env python3
"""Generate shared/src/domain/phone/metadata.rs from libphonenumber's PhoneNumberMetadata.xml.

Usage: scripts/phone_metadata.py PATH/TO/PhoneNumberMetadata.xml [LIBPHONENUMBER_VERSION] > shared/src/domain/phone/metadata.rs

The XML ships with the `phonenumber` crate (a dev-dependency of canopy-shared, kept to prove
equality): ~/.cargo/registry/src/*/phonenumber-0.3.10+9.0.33/assets/PhoneNumberMetadata.xml,
libphonenumber 9.0.33 (the crate version's build metadata). The version is taken from that
path when not given.

The table keeps only what parsing and validation read (src/domain/phone/parse.rs): per
territory its id, country calling code, main-country flag, leading digits, international
prefix, national prefix, national prefix for parsing and its transform rule, the general
description and the number-type descriptions (pattern and possible lengths). Patterns are
written as libphonenumber writes them but with the whitespace removed (the `phonenumber`
crate compiles them in the regex "ignore whitespace" mode; none contains `#` or a space
that means something). Possible lengths are read as the crate reads them: the XML's own
lists, "[8-10]" ranges expanded, nothing inherited from other descriptions; they are written
as bit masks. Strings live once in one `TEXT` and are referred to by offset, so the statics
hold no pointers (each pointer in a static costs a 24-byte load-time relocation).

It also writes the ranges of Unicode decimal digits (general category Nd, from Python's
unicodedata) that the parser needs for "where may a number start" and extension digits.
"""
import re
import sys
import unicodedata
import xml.etree.ElementTree as ET

# Number types in the order the crate's validator::number_type tries them.
TYPES = [
    "premiumRate",
    "tollFree",
    "sharedCost",
    "voip",
    "personalNumber",
    "pager",
    "uan",
    "voicemail",
    "fixedLine",
    "mobile",
]


def pattern(text):
    value = re.sub(r"\s+", "", text)
    assert "#" not in value, value
    return value


def lengths(value):
    result = []
    for part in value.split(","):
        part = part.strip()
        if part.startswith("["):
            start, end = part[1:-1].split("-")
            result.extend(range(int(start), int(end) + 1))
        else:
            result.append(int(part))
    return result


class Text:
    """Every pattern and prefix once, concatenated: the table refers to them by offset, so
    the generated statics hold no pointers (no load-time relocations, smaller entries)."""

    def __init__(self):
        self.parts = []
        self.offsets = {}
        self.size = 0

    def span(self, value):
        if value is None:
            return "NONE"
        assert value != "", "empty values would read as absent"
        if value not in self.offsets:
            self.offsets[value] = self.size
            self.parts.append(value)
            self.size += len(value.encode("utf-8"))
        return "Span(%d, %d)" % (self.offsets[value], len(value.encode("utf-8")))


def raw(value):
    return 'r"%s"' % value if '"' not in value else 'r#"%s"#' % value


def mask(lengths):
    result = 0
    for length in lengths:
        assert 0 < length < 32, length
        result |= 1 << length
    return "0x%X" % result


def descriptor(element):
    if element is None:
        return None
    national = element.find("nationalNumberPattern")
    if national is None:
        return None
    text = "".join(national.itertext())
    possible = []
    local = []
    for lengths_element in element.findall("possibleLengths"):
        if "national" in lengths_element.attrib:
            possible = lengths(lengths_element.attrib["national"])
        if "localOnly" in lengths_element.attrib:
            local = lengths(lengths_element.attrib["localOnly"])
    return pattern(text), tuple(possible), tuple(local)


def decimal_digit_ranges():
    ranges = []
    code = 0
    while code <= 0x10FFFF:
        if unicodedata.category(chr(code)) == "Nd":
            start = code
            while code + 1 <= 0x10FFFF and unicodedata.category(chr(code + 1)) == "Nd":
                code += 1
            ranges.append((start, code))
        code += 1
    return ranges


def main():
    path = sys.argv[1]
    version = sys.argv[2] if len(sys.argv) > 2 else None
    if version is None:
        found = re.search(r"\+(\d+\.\d+\.\d+)", path)
        version = found.group(1) if found else "unknown"
    root = ET.parse(path).getroot()
    territories = root.find("territories").findall("territory")

    text = Text()
    body = []
    descs = []
    by_code = {}
    for index, territory in enumerate(territories):
        attrs = territory.attrib
        code = int(attrs["countryCode"])
        regions = by_code.setdefault(code, [])
        # The crate puts a main country first, everything else in XML order.
        if attrs.get("mainCountryForCode") == "true":
            regions.insert(0, index)
        else:
            regions.append(index)
        general = descriptor(territory.find("generalDesc"))
        first_desc = len(descs)
        for name in TYPES:
            desc = descriptor(territory.find(name))
            # Only "is it some type?" is asked, so a repeat (fixedLine == mobile for NANPA) is dropped.
            if desc is not None and desc[:2] not in [d[:2] for d in descs[first_desc:]]:
                descs.append(desc)
        leading = attrs.get("leadingDigits")
        idd = attrs.get("internationalPrefix")
        npfp = attrs.get("nationalPrefixForParsing")
        body.append("    Territory {")
        body.append('        id: "%s",' % attrs["id"])
        body.append("        country_code: %d," % code)
        body.append("        leading_digits: %s," % text.span(pattern(leading) if leading else None))
        body.append("        international_prefix: %s," % text.span(pattern(idd) if idd else None))
        body.append("        national_prefix: %s," % text.span(attrs.get("nationalPrefix")))
        body.append("        national_prefix_for_parsing: %s," % text.span(pattern(npfp) if npfp else None))
        body.append("        national_prefix_transform_rule: %s," % text.span(attrs.get("nationalPrefixTransformRule")))
        body.append("        general: Desc { pattern: %s, lengths: %s }," % (text.span(general[0]), mask(general[1])))
        body.append("        general_local_lengths: %s," % mask(general[2]))
        body.append("        types: (%d, %d)," % (first_desc, len(descs) - first_desc))
        body.append("    },")
    desc_lines = [
        "    Desc { pattern: %s, lengths: %s }," % (text.span(desc[0]), mask(desc[1])) for desc in descs
    ]

    out = []
    out.append("// @generated by scripts/phone_metadata.py from libphonenumber %s" % version)
    out.append("// PhoneNumberMetadata.xml (as shipped in the phonenumber crate 0.3.10+9.0.33).")
    out.append("// Do not edit: re-run the script (see its header) and commit the result.")
    out.append("")
    out.append("use super::table::{Desc, Span, Territory, NONE};")
    out.append("")
    out.append("/// libphonenumber release the table was generated from.")
    out.append('pub const LIBPHONENUMBER_VERSION: &str = "%s";' % version)
    out.append("")
    out.append("/// Unicode decimal digits (general category Nd), inclusive ranges, Python unicodedata %s." % unicodedata.unidata_version)
    out.append("pub static DECIMAL_DIGITS: &[(u32, u32)] = &[")
    for start, end in decimal_digit_ranges():
        out.append("    (0x%X, 0x%X)," % (start, end))
    out.append("];")
    out.append("")
    out.append("/// Every pattern and prefix once; `Span(offset, length)` points into it.")
    out.append("pub static TEXT: &str = concat!(")
    for part in text.parts:
        out.append("    %s," % raw(part))
    out.append(");")
    out.append("")
    out.append("/// Every territory, in the XML's order (indices are used by `BY_CODE`). Lengths are")
    out.append("/// bit masks (bit n: n digits), `types` a (start, count) range of `DESCS`.")
    out.append("pub static TERRITORIES: &[Territory] = &[")
    out.extend(body)
    out.append("];")
    out.append("")
    out.append("/// The number-type descriptions of every territory, in the crate's order of trying.")
    out.append("pub static DESCS: &[Desc] = &[")
    out.extend(desc_lines)
    out.append("];")
    out.append("")
    out.append("/// Country calling code -> indices into `TERRITORIES`, main country first; sorted by code.")
    out.append("pub static BY_CODE: &[(u16, &[u16])] = &[")
    for code in sorted(by_code):
        out.append("    (%d, &%s)," % (code, by_code[code]))
    out.append("];")
    print("\n".join(out))


if __name__ == "__main__":
    main()

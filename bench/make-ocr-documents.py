#!/usr/bin/env python3
"""Renders synthetic onboarding documents with known values, for `intake read`'s accuracy
figures (bench/ocr.sh) and its tests: 营业执照, both sides of the 身份证, and map-app position
screenshots. Every person, company, number and address is made up here from a seeded random
generator (credit codes and ID numbers with valid check characters); no real person's data.

Each document comes clean and, per degraded variant asked for, blurred, noisy, rotated or seen
in perspective (a phone photo of a paper), as JPEG. `truth.json` lists every file with its kind,
variant and the fields the reader should give (keys and forms of interfaces.md: dates as
YYYY-MM-DD, valid_until null for 长期, lat/lon in decimal degrees as shown).

    make-ocr-documents.py OUT_DIR [--count N] [--seed S] [--variants clean,blur,noise,rotate,perspective]
                                  [--degraded-count N] [--kinds business_license,id_front,...]
"""
import argparse
import json
import math
import os
import random
import sys

from PIL import Image, ImageDraw, ImageFilter, ImageFont

FONT_DIR = "/usr/share/fonts/opentype/noto"
SERIF = os.path.join(FONT_DIR, "NotoSerifCJK-Regular.ttc")
SERIF_BOLD = os.path.join(FONT_DIR, "NotoSerifCJK-Bold.ttc")
SANS = os.path.join(FONT_DIR, "NotoSansCJK-Regular.ttc")
SANS_BOLD = os.path.join(FONT_DIR, "NotoSansCJK-Bold.ttc")
# The font index inside the .ttc files: 2 is the Simplified Chinese face (SC).
SC = 2

KINDS = ["business_license", "id_front", "id_back", "gps_screenshot"]


def font(path, size):
    return ImageFont.truetype(path, size, index=SC)


# --- Made-up values -----------------------------------------------------------------------------

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂华建国志红晓文玉海燕春林婷斌宇浩凯鹏辉思远嘉欣子涵雨萱梓轩博文"
CITIES = [
    # (province, city, districts, area code of the first district: the ID/credit-code prefix)
    ("福建省", "福州市", ["鼓楼区", "台江区", "仓山区"], "350102"),
    ("浙江省", "杭州市", ["西湖区", "上城区", "拱墅区"], "330106"),
    ("广东省", "广州市", ["天河区", "越秀区", "海珠区"], "440106"),
    ("江苏省", "南京市", ["玄武区", "秦淮区", "鼓楼区"], "320102"),
    ("四川省", "成都市", ["锦江区", "青羊区", "武侯区"], "510104"),
    ("湖北省", "武汉市", ["江岸区", "江汉区", "武昌区"], "420102"),
    ("山东省", "济南市", ["历下区", "市中区", "槐荫区"], "370102"),
    ("河南省", "郑州市", ["中原区", "二七区", "金水区"], "410102"),
]
CITY_CENTRES = {"福州市": (26.07, 119.30), "杭州市": (30.27, 120.15), "广州市": (23.13, 113.26), "南京市": (32.06, 118.80),
                "成都市": (30.66, 104.06), "武汉市": (30.59, 114.30), "济南市": (36.65, 117.12), "郑州市": (34.75, 113.62)}
ROADS = ["五四路", "文三路", "中山路", "解放路", "人民路", "建设路", "长江路", "学府路", "新华路", "和平街", "东风路", "滨江大道"]
BRANDS = ["星河", "恒信", "瑞丰", "嘉禾", "锦程", "华泰", "鑫源", "盛达", "德润", "宏图", "佳美", "天和", "益民", "安康"]
TRADES = ["贸易", "餐饮管理", "电子科技", "商贸", "食品", "服装", "文化传媒", "信息技术", "建材", "百货"]
COMPANY_TYPES = [
    ("有限责任公司（自然人投资或控股）", "有限公司", "法定代表人"),
    ("有限责任公司（自然人独资）", "有限公司", "法定代表人"),
    ("个体工商户", "店", "经营者"),
    ("个人独资企业", "商行", "投资人"),
]
SCOPES = ["日用百货销售；五金产品零售；食品经营（销售预包装食品）", "餐饮服务；食品销售；外卖递送服务",
          "电子产品销售；计算机软硬件技术开发；技术咨询", "服装服饰零售；鞋帽零售；箱包销售"]
ETHNICITIES = ["汉", "汉", "汉", "汉", "回", "满", "壮", "苗", "蒙古", "土家"]

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def uscc(rng, area):
    """A credit code with a valid GB 11714 organisation-code check and GB 32100 check."""
    org = [rng.choice("0123456789ABCDEFGHJKLMNPQRTUWXY") for _ in range(8)]
    value = lambda c: int(c) if c.isdigit() else ord(c) - 55
    s = sum(value(c) * w for c, w in zip(org, [3, 7, 9, 10, 5, 8, 4, 2]))
    c9 = 11 - s % 11
    org.append("X" if c9 == 10 else "0" if c9 == 11 else str(c9))
    body = rng.choice(["91", "92", "93"]) + area + "".join(org)
    weights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
    total = sum(USCC_ALPHABET.index(c) * w for c, w in zip(body, weights))
    return body + USCC_ALPHABET[(31 - total % 31) % 31]


def id_number(rng, area, birth):
    body = area + birth.replace("-", "") + "%03d" % rng.randint(1, 999)
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    return body + "10X98765432"[sum(int(c) * w for c, w in zip(body, weights)) % 11]


def date(rng, start_year, end_year):
    y = rng.randint(start_year, end_year)
    m = rng.randint(1, 12)
    d = rng.randint(1, 28)
    return "%04d-%02d-%02d" % (y, m, d)


def person_name(rng):
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice([1, 2, 2])))


def address(rng, city):
    province, name, districts, _ = city
    tail = "%d号" % rng.randint(1, 399)
    if rng.random() < 0.6:
        tail += rng.choice(["%d幢%d室" % (rng.randint(1, 12), rng.randint(101, 1802)), "%s大厦%d层" % (rng.choice(BRANDS), rng.randint(2, 28)),
                            "%d单元%d室" % (rng.randint(1, 6), rng.randint(101, 602))])
    return province + name + rng.choice(districts) + rng.choice(ROADS) + tail


def cn_date(iso, pad=True):
    y, m, d = iso.split("-")
    return ("%s年%s月%s日" % (y, m, d)) if pad else ("%s 年 %d 月 %d 日" % (y, int(m), int(d)))


def wrap(text, per_line):
    return [text[i:i + per_line] for i in range(0, len(text), per_line)]


# --- Rendering --------------------------------------------------------------------------------

def paper(w, h, rng, tint=(250, 247, 238)):
    image = Image.new("RGB", (w, h), tint)
    draw = ImageDraw.Draw(image)
    # Faint guilloche-like curves, as security paper has.
    for _ in range(30):
        x0, y0 = rng.randint(0, w), rng.randint(0, h)
        r = rng.randint(80, 400)
        draw.arc([x0 - r, y0 - r, x0 + r, y0 + r], 0, 360, fill=(tint[0] - 12, tint[1] - 10, tint[2] - 4), width=1)
    return image, draw


def spaced(label, width_chars):
    """A label spread over `width_chars` character cells, as licences print 名　　称."""
    if len(label) >= width_chars:
        return label
    gaps = len(label) - 1
    spaces = width_chars - len(label)
    out = ""
    for i, c in enumerate(label):
        out += c
        if i < gaps:
            out += "\u3000" * (spaces // gaps + (1 if i < spaces % gaps else 0))
    return out


def render_licence(rng):
    city = rng.choice(CITIES)
    company_type, suffix, rep_label = rng.choice(COMPANY_TYPES)
    name = city[1][:-1] + rng.choice(BRANDS) + rng.choice(TRADES) + suffix
    established = date(rng, 2005, 2024)
    long_term = rng.random() < 0.4
    y, m, d = map(int, established.split("-"))
    valid_until = None if long_term else "%04d-%02d-%02d" % (y + 20, m, d)
    fields = {
        "name": name, "uscc": uscc(rng, city[3]), "company_type": company_type, "legal_rep": person_name(rng),
        "established": established, "valid_until": valid_until, "address": address(rng, city),
    }
    w, h = 1600, 1130
    image, draw = paper(w, h, rng)
    red = (190, 30, 35)
    draw.rectangle([30, 30, w - 30, h - 30], outline=(200, 160, 90), width=6)
    draw.rectangle([48, 48, w - 48, h - 48], outline=(200, 160, 90), width=2)
    f_title = font(SERIF_BOLD, 96)
    draw.text((w / 2, 150), "营业执照", font=f_title, fill=red, anchor="mm")
    f_small = font(SERIF, 28)
    f = font(SERIF, 31)
    draw.text((w / 2, 228), "（副　本）", font=f_small, fill=(20, 20, 20), anchor="mm")
    draw.text((110, 230), "统一社会信用代码", font=f_small, fill=(20, 20, 20))
    draw.text((110, 272), fields["uscc"], font=font(SERIF, 33), fill=(20, 20, 20))
    # A QR-code-like block at the top right.
    for i in range(21):
        for j in range(21):
            if rng.random() < 0.5 or (i < 7 and j < 7) or (i < 7 and j > 13) or (i > 13 and j < 7):
                draw.rectangle([1330 + i * 7, 170 + j * 7, 1336 + i * 7, 176 + j * 7], fill=(20, 20, 20))
    ink = (25, 25, 25)
    left_x, left_value = 130, 330
    right_x, right_value = 860, 1050
    rows = [350, 420, 490, 560]
    left = [("名称", fields["name"]), ("类型", fields["company_type"]), (rep_label, fields["legal_rep"])]
    for (label, value), y in zip(left, rows):
        draw.text((left_x, y), spaced(label, 5), font=f, fill=ink)
        draw.text((left_value, y), value, font=f, fill=ink)
    # 经营范围 wraps in the left column.
    draw.text((left_x, rows[3]), spaced("经营范围", 5), font=f, fill=ink)
    for k, part in enumerate(wrap(rng.choice(SCOPES), 14)):
        draw.text((left_value, rows[3] + k * 46), part, font=f, fill=ink)
    capital = rng.choice(["壹佰万元整", "伍拾万元整", "贰佰万元整", "叁拾万元整"])
    period = cn_date(established) + "至" + ("长期" if long_term else cn_date(valid_until))
    right = [("注册资本", capital), ("成立日期", cn_date(established)), ("营业期限", period)]
    for (label, value), y in zip(right, rows):
        draw.text((right_x, y), spaced(label, 4), font=f, fill=ink)
        draw.text((right_value, y), value, font=f, fill=ink)
    draw.text((right_x, rows[3]), spaced("住所", 4), font=f, fill=ink)
    for k, part in enumerate(wrap(fields["address"], 14)):
        draw.text((right_value, rows[3] + k * 46), part, font=f, fill=ink)
    draw.text((1080, 900), "登记机关", font=f, fill=ink)
    # The registration authority's red seal, beside (not over) the fields.
    cx, cy, r = 1330, 930, 95
    draw.ellipse([cx - r, cy - r, cx + r, cy + r], outline=(215, 40, 40), width=6)
    draw.regular_polygon((cx, cy, 28), 5, fill=(215, 40, 40))
    draw.text((1080, 1010), cn_date(date(rng, 2020, 2025)), font=f_small, fill=ink)
    return image, fields


def render_id_front(rng):
    city = rng.choice(CITIES)
    birth = date(rng, 1950, 2004)
    sex = rng.choice(["男", "女"])
    fields = {"name": person_name(rng), "sex": sex, "ethnicity": rng.choice(ETHNICITIES), "birth_date": birth,
              "address": address(rng, city), "id_number": None}
    number = id_number(rng, city[3], birth)
    # The 17th digit is odd for men, even for women (GB 11643): make it agree.
    digit = int(number[16])
    if (digit % 2 == 1) != (sex == "男"):
        body = number[:16] + str((digit + 1) % 10)
        weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
        number = body + "10X98765432"[sum(int(c) * w for c, w in zip(body, weights)) % 11]
    fields["id_number"] = number
    w, h = 1000, 630
    image, draw = paper(w, h, rng, tint=(236, 242, 246))
    draw.rounded_rectangle([4, 4, w - 5, h - 5], radius=36, outline=(180, 190, 200), width=3)
    label = (40, 110, 170)
    ink = (20, 20, 20)
    f_label = font(SANS, 27)
    f = font(SANS_BOLD, 31)
    draw.text((70, 70), "姓  名", font=f_label, fill=label)
    draw.text((175, 66), fields["name"], font=font(SANS_BOLD, 36), fill=ink)
    draw.text((70, 140), "性  别", font=f_label, fill=label)
    draw.text((175, 138), sex, font=f, fill=ink)
    draw.text((290, 140), "民  族", font=f_label, fill=label)
    draw.text((395, 138), fields["ethnicity"], font=f, fill=ink)
    draw.text((70, 210), "出  生", font=f_label, fill=label)
    draw.text((175, 208), cn_date(birth, pad=False), font=f, fill=ink)
    draw.text((70, 280), "住  址", font=f_label, fill=label)
    for k, part in enumerate(wrap(fields["address"], 11)):
        draw.text((175, 278 + k * 46), part, font=f, fill=ink)
    draw.text((70, 520), "公民身份号码", font=f_label, fill=label)
    mono = "/usr/share/fonts/truetype/dejavu/DejaVuSansMono-Bold.ttf"
    f_number = ImageFont.truetype(mono, 40) if os.path.exists(mono) else font(SANS_BOLD, 40)
    draw.text((330, 512), number, font=f_number, fill=ink)
    # The portrait: a grey silhouette, no face.
    draw.rectangle([690, 90, 930, 400], fill=(226, 232, 238))
    draw.ellipse([750, 130, 870, 270], fill=(170, 176, 184))
    draw.pieslice([710, 270, 910, 480], 180, 360, fill=(170, 176, 184))
    return image, fields


def render_id_back(rng):
    city = rng.choice(CITIES)
    district = rng.choice(city[2])
    issuer = city[1] + "公安局" + district[:-1] + "分局" if rng.random() < 0.7 else city[1] + "公安局"
    valid_from = date(rng, 2006, 2024)
    y, m, d = map(int, valid_from.split("-"))
    long_term = rng.random() < 0.2
    valid_until = None if long_term else "%04d-%02d-%02d" % (y + rng.choice([10, 20]), m, d)
    fields = {"issuer": issuer, "valid_from": valid_from, "valid_until": valid_until}
    w, h = 1000, 630
    image, draw = paper(w, h, rng, tint=(240, 244, 240))
    draw.rounded_rectangle([4, 4, w - 5, h - 5], radius=36, outline=(180, 190, 200), width=3)
    # The emblem: a red disc with a star, no real emblem.
    draw.ellipse([70, 60, 230, 220], fill=(200, 40, 40))
    draw.regular_polygon((150, 140, 45), 5, fill=(245, 200, 60))
    draw.text((600, 120), "中华人民共和国", font=font(SANS_BOLD, 46), fill=(20, 20, 20), anchor="mm")
    draw.text((600, 215), "居民身份证", font=font(SANS_BOLD, 66), fill=(20, 20, 20), anchor="mm")
    dot = lambda iso: iso.replace("-", ".")
    label, ink = (40, 40, 40), (20, 20, 20)
    f = font(SANS, 31)
    draw.text((200, 440), "签发机关", font=f, fill=label)
    draw.text((370, 440), issuer, font=f, fill=ink)
    draw.text((200, 510), "有效期限", font=f, fill=label)
    draw.text((370, 510), dot(valid_from) + "-" + ("长期" if long_term else dot(valid_until)), font=f, fill=ink)
    return image, fields


def render_gps(rng):
    city = rng.choice(CITIES)
    lat0, lon0 = CITY_CENTRES[city[1]]
    lat = round(lat0 + rng.uniform(-0.08, 0.08), 6)
    lon = round(lon0 + rng.uniform(-0.08, 0.08), 6)
    style = rng.choice(["labelled", "pair", "dms"])
    addr = address(rng, city)
    w, h = 720, 1560
    image = Image.new("RGB", (w, h), (236, 234, 228))
    draw = ImageDraw.Draw(image)
    # The map: blocks, roads, a river, a pin.
    for _ in range(40):
        x, y = rng.randint(0, w), rng.randint(60, 1100)
        draw.rectangle([x, y, x + rng.randint(40, 160), y + rng.randint(40, 160)], fill=(226, 230, 222))
    for _ in range(10):
        if rng.random() < 0.5:
            y = rng.randint(80, 1100)
            draw.line([0, y, w, y + rng.randint(-80, 80)], fill=(255, 255, 255), width=rng.randint(8, 18))
        else:
            x = rng.randint(0, w)
            draw.line([x, 60, x + rng.randint(-80, 80), 1120], fill=(255, 255, 255), width=rng.randint(8, 18))
    draw.line([0, 900, w, 760], fill=(170, 200, 230), width=40)
    draw.ellipse([340, 520, 380, 560], fill=(40, 120, 240))
    draw.polygon([(345, 550), (375, 550), (360, 585)], fill=(40, 120, 240))
    # Status bar and the position card.
    draw.rectangle([0, 0, w, 56], fill=(250, 250, 250))
    draw.text((30, 12), "%d:%02d" % (rng.randint(8, 18), rng.randint(0, 59)), font=font(SANS_BOLD, 26), fill=(20, 20, 20))
    draw.rounded_rectangle([16, 1140, w - 16, 1540], radius=28, fill=(255, 255, 255))
    ink, grey = (25, 25, 25), (110, 110, 110)
    draw.text((50, 1170), "我的位置", font=font(SANS_BOLD, 36), fill=ink)
    f = font(SANS, 28)
    if style == "labelled":
        draw.text((50, 1250), "经度：%.6f" % lon, font=f, fill=ink)
        draw.text((50, 1300), "纬度：%.6f" % lat, font=f, fill=ink)
        shown = (lat, lon)
    elif style == "pair":
        draw.text((50, 1270), "%.6f, %.6f" % (lat, lon), font=f, fill=ink)
        shown = (lat, lon)
    else:
        def dms(value):
            d = int(value)
            m = int((value - d) * 60)
            s = round(((value - d) * 60 - m) * 60, 2)
            if s >= 60:
                s, m = 0.0, m + 1
            return d, m, s
        (ad, am, as_), (od, om, os_) = dms(lat), dms(lon)
        draw.text((50, 1270), "N %d°%d′%.2f″   E %d°%d′%.2f″" % (ad, am, as_, od, om, os_), font=f, fill=ink)
        shown = (round(ad + am / 60 + as_ / 3600, 6), round(od + om / 60 + os_ / 3600, 6))
    draw.text((50, 1380), "地址：", font=f, fill=grey)
    for k, part in enumerate(wrap(addr, 18)):
        draw.text((140, 1380 + k * 44), part, font=f, fill=ink)
    fields = {"lat": shown[0], "lon": shown[1], "address": addr}
    return image, fields


RENDER = {"business_license": render_licence, "id_front": render_id_front, "id_back": render_id_back, "gps_screenshot": render_gps}


# --- Degradations ----------------------------------------------------------------------------

def on_background(image, margin, rng):
    """The document on a desk-coloured background, as a phone photo frames it."""
    w, h = image.size
    shade = rng.randint(70, 140)
    canvas = Image.new("RGB", (w + 2 * margin, h + 2 * margin), (shade, shade - 10, shade - 25))
    canvas.paste(image, (margin, margin))
    return canvas


def degrade(image, variant, rng):
    if variant == "clean":
        return image
    if variant == "blur":
        return image.filter(ImageFilter.GaussianBlur(rng.uniform(1.2, 1.8)))
    if variant == "noise":
        noise = Image.effect_noise(image.size, rng.uniform(18, 26)).convert("RGB")
        return Image.blend(image, noise, 0.18)
    if variant == "rotate":
        framed = on_background(image, 60, rng)
        angle = rng.choice([-1, 1]) * rng.uniform(2.0, 5.0)
        return framed.rotate(angle, resample=Image.BICUBIC, expand=True, fillcolor=framed.getpixel((0, 0)))
    if variant == "perspective":
        framed = on_background(image, 80, rng)
        w, h = framed.size
        k = 0.06
        jitter = lambda: rng.uniform(0, k)
        # Where each corner of the output comes from in the input (a paper seen at a slant).
        quad = (w * jitter(), h * jitter(), w * jitter(), h * (1 - jitter()),
                w * (1 - jitter()), h * (1 - jitter()), w * (1 - jitter()), h * jitter())
        return framed.transform((w, h), Image.QUAD, quad, resample=Image.BICUBIC)
    raise ValueError("unknown variant " + variant)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out")
    parser.add_argument("--count", type=int, default=20, help="clean documents per kind")
    parser.add_argument("--degraded-count", type=int, default=5, help="documents per kind and degraded variant")
    parser.add_argument("--seed", type=int, default=2126)
    parser.add_argument("--variants", default="clean,blur,noise,rotate,perspective")
    parser.add_argument("--kinds", default=",".join(KINDS))
    args = parser.parse_args()
    rng = random.Random(args.seed)
    os.makedirs(args.out, exist_ok=True)
    truth = []
    for kind in args.kinds.split(","):
        for i in range(args.count):
            image, fields = RENDER[kind](rng)
            for variant in args.variants.split(","):
                if variant != "clean" and i >= args.degraded_count:
                    continue
                name = "%s-%02d-%s.jpg" % (kind, i + 1, variant)
                degrade(image, variant, rng).save(os.path.join(args.out, name), quality=90)
                truth.append({"file": name, "kind": kind, "variant": variant, "fields": fields})
    with open(os.path.join(args.out, "truth.json"), "w", encoding="utf-8") as out:
        json.dump(truth, out, ensure_ascii=False, indent=1)
    print("%d documents in %s" % (len(truth), args.out), file=sys.stderr)


if __name__ == "__main__":
    main()

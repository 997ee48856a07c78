"""What the demo sells, and where: real Taobao villages and their real specialities.

The villages are from AliResearch's 2014 list (沙集镇 furniture, 大集镇 costumes,
义乌 small goods, 沭阳 flowers and trees) and Pekalongan's batik kampung. Codes are
the 2023 NBS / Kepmendagri codes shipped in places/data.
"""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class ProductLine:
    """A family of products a village makes; titles are built from its parts."""

    category: str  # category slug
    nouns: tuple[str, ...]
    qualifiers: tuple[str, ...]
    price_range: tuple[int, int]  # major units
    variant_axes: tuple[tuple[str, tuple[str, ...]], ...] = ()


@dataclass(frozen=True)
class DemoShop:
    name: str
    village: str  # place key
    owner_name: str
    kind: str = "individual"
    description: str = ""
    lines: tuple[str, ...] = ()
    featured: bool = False


@dataclass(frozen=True)
class DemoVillage:
    key: str
    households: int
    shops: tuple[DemoShop, ...] = field(default_factory=tuple)


SIZES = ("S", "M", "L", "XL")
KID_SIZES = ("100cm", "110cm", "120cm", "130cm", "140cm")

LINES: dict[str, ProductLine] = {
    "solid_wood": ProductLine(
        "solid-wood-furniture",
        ("实木餐桌", "实木床", "实木衣柜", "实木书桌", "实木电视柜", "实木餐椅"),
        ("北欧", "新中式", "橡木", "松木", "简约现代", "Nordic"),
        (399, 2899),
        (("尺寸", ("1.2米", "1.35米", "1.5米")), ("颜色", ("原木色", "胡桃色"))),
    ),
    "panel": ProductLine(
        "storage-furniture",
        ("板式书架", "鞋柜", "床头柜", "置物架", "收纳柜", "电脑桌"),
        ("简易", "多层", "小户型", "免安装", "加厚", "ins风"),
        (39, 499),
        (("颜色", ("白色", "暖白", "胡桃色", "黑色")),),
    ),
    "sofa": ProductLine(
        "sofas",
        ("布艺沙发", "懒人沙发", "沙发床", "单人沙发"),
        ("小户型", "科技布", "可拆洗", "客厅"),
        (299, 3299),
        (("规格", ("单人位", "双人位", "三人位")),),
    ),
    "costume": ProductLine(
        "dance-wear",
        ("演出服", "舞蹈服", "合唱服", "汉服", "民族服装", "表演服"),
        ("儿童", "成人", "幼儿园", "六一", "古典", "广场舞"),
        (29, 259),
        (("尺码", KID_SIZES), ("颜色", ("红色", "粉色", "蓝色"))),
    ),
    "costume_adult": ProductLine(
        "stage-costumes",
        ("古装", "戏服", "旗袍演出服", "主持人礼服"),
        ("女", "男", "舞台", "年会"),
        (69, 399),
        (("尺码", SIZES),),
    ),
    "small_goods": ProductLine(
        "storage-organisers",
        ("收纳盒", "收纳筐", "桌面收纳架", "化妆品收纳盒", "衣物收纳袋", "抽屉分隔盒"),
        ("义乌", "批发", "创意", "卡通", "折叠", "家用"),
        (3, 69),
        (("颜色", ("粉色", "蓝色", "白色", "黑色")),),
    ),
    "toys": ProductLine(
        "educational-toys",
        ("积木", "拼图", "磁力片", "七巧板", "魔方"),
        ("益智", "儿童", "男孩", "女孩", "3-6岁"),
        (9, 199),
        (("款式", ("A款", "B款", "C款")),),
    ),
    "socks": ProductLine(
        "underwear-sleepwear",
        ("袜子", "船袜", "棉袜", "丝袜", "运动袜"),
        ("纯棉", "男士", "女士", "吸汗", "5双装", "10双装"),
        (9, 59),
        (("颜色", ("黑色", "白色", "混色")),),
    ),
    "flowers": ProductLine(
        "potted-plants",
        ("月季苗", "绿萝", "多肉植物", "发财树", "桂花树苗", "盆景"),
        ("沭阳", "四季开花", "带土球", "室内", "庭院", "老桩"),
        (6, 299),
        (("规格", ("小苗", "中苗", "大苗")),),
    ),
    "pastry": ProductLine(
        "local-specialities",
        ("桃酥", "麻花", "绿豆糕", "月饼", "糕点礼盒"),
        ("手工", "传统", "沭阳特产", "老式"),
        (15, 88),
        (("规格", ("500g", "1000g", "礼盒装")),),
    ),
    "batik": ProductLine(
        "batik-cloth",
        ("Kain Batik Tulis", "Kemeja Batik", "Batik Cap", "Daster Batik", "Selendang Batik"),
        (
            "Pekalongan",
            "Motif Jlamprang",
            "Motif Buketan",
            "Sutra",
            "Katun Primisima",
            "Pewarna Alam",
        ),
        (85_000, 1_750_000),
        (("Ukuran", ("M", "L", "XL")),),
    ),
}

SUINING_DONGFENG = "cn-320324109002"  # 沙集镇 东风社区 (the 2009 "Shaji model" village)
SUINING_XIAWEI = "cn-320324109211"  # 沙集镇 夏圩村
SUINING_DINGCHEN = "cn-320324109209"  # 沙集镇 丁陈村
CAOXIAN_DINGLOU = "cn-371721121227"  # 大集镇 丁楼村
CAOXIAN_ZHANGZHUANG = "cn-371721121211"  # 大集镇 张庄村
CAOXIAN_SUNZHUANG = "cn-371721121240"  # 大集镇 孙庄村
YIWU_HOUER = "cn-330782002200"  # 江东街道 候儿村
YIWU_XIAWAN = "cn-330782002226"  # 江东街道 下湾村
SHUYANG_ZHOUQUAN = "cn-321322124202"  # 新河镇 周圈村
SHUYANG_JIEQIAO = "cn-321322124207"  # 新河镇 解桥村
PEKALONGAN_KAUMAN = "id-3375021004"  # Kota Pekalongan, Kauman (Kampung Batik Kauman)
WIRADESA_KAUMAN = "id-3326162016"  # Kab. Pekalongan, Wiradesa, Kauman

VILLAGES: tuple[DemoVillage, ...] = (
    DemoVillage(
        SUINING_DONGFENG,
        1420,
        (
            DemoShop(
                "沙集木匠坊",
                SUINING_DONGFENG,
                "孙寒",
                description="东风村第一家网店，十五年实木家具。",
                lines=("solid_wood", "sofa"),
                featured=True,
            ),
            DemoShop(
                "东风简约家居",
                SUINING_DONGFENG,
                "夏凯",
                description="板式家具，厂家直发，包安装。",
                lines=("panel",),
            ),
            DemoShop(
                "沙集小户型家具",
                SUINING_DONGFENG,
                "陈雷",
                description="专为小户型设计。",
                lines=("panel", "sofa"),
            ),
            DemoShop("老孙实木", SUINING_DONGFENG, "孙明", lines=("solid_wood",)),
            DemoShop(
                "东风家具旗舰店",
                SUINING_DONGFENG,
                "王海",
                kind="enterprise",
                description="睢宁县东风家具有限公司官方店铺。",
                lines=("solid_wood", "panel", "sofa"),
                featured=True,
            ),
            DemoShop("沙集收纳专家", SUINING_DONGFENG, "刘芳", lines=("panel",)),
        ),
    ),
    DemoVillage(
        SUINING_XIAWEI,
        980,
        (
            DemoShop("夏圩木艺", SUINING_XIAWEI, "夏伟", lines=("solid_wood",)),
            DemoShop("夏圩沙发城", SUINING_XIAWEI, "周丽", lines=("sofa",)),
        ),
    ),
    DemoVillage(
        SUINING_DINGCHEN,
        860,
        (
            DemoShop("丁陈家具工厂店", SUINING_DINGCHEN, "丁强", lines=("panel", "solid_wood")),
            DemoShop("丁陈儿童家具", SUINING_DINGCHEN, "陈静", lines=("panel",)),
        ),
    ),
    DemoVillage(
        CAOXIAN_DINGLOU,
        1050,
        (
            DemoShop(
                "丁楼演出服",
                CAOXIAN_DINGLOU,
                "周爱华",
                description="丁楼村的影楼服、演出服，自家工厂。",
                lines=("costume", "costume_adult"),
                featured=True,
            ),
            DemoShop("丁楼汉服坊", CAOXIAN_DINGLOU, "丁建国", lines=("costume_adult",)),
            DemoShop("小舞者童装", CAOXIAN_DINGLOU, "任庆生", lines=("costume",)),
            DemoShop("丁楼舞台服饰", CAOXIAN_DINGLOU, "丁玉", lines=("costume", "costume_adult")),
            DemoShop("大集六一演出服", CAOXIAN_DINGLOU, "葛秀英", lines=("costume",)),
        ),
    ),
    DemoVillage(
        CAOXIAN_ZHANGZHUANG,
        1210,
        (
            DemoShop("张庄戏服", CAOXIAN_ZHANGZHUANG, "张伟", lines=("costume_adult",)),
            DemoShop("张庄童装演出服", CAOXIAN_ZHANGZHUANG, "张敏", lines=("costume",)),
            DemoShop(
                "曹县服饰有限公司",
                CAOXIAN_ZHANGZHUANG,
                "李强",
                kind="enterprise",
                description="曹县大集镇演出服饰生产企业。",
                lines=("costume", "costume_adult"),
            ),
        ),
    ),
    DemoVillage(
        CAOXIAN_SUNZHUANG,
        760,
        (DemoShop("孙庄民族服装", CAOXIAN_SUNZHUANG, "孙丽", lines=("costume",)),),
    ),
    DemoVillage(
        YIWU_HOUER,
        640,
        (
            DemoShop(
                "候儿村日用百货",
                YIWU_HOUER,
                "楼晓",
                description="义乌小商品，一件代发。",
                lines=("small_goods",),
                featured=True,
            ),
            DemoShop("义乌玩具屋", YIWU_HOUER, "何佳", lines=("toys",)),
            DemoShop(
                "候儿小商品批发",
                YIWU_HOUER,
                "吴军",
                kind="supplier",
                description="工厂批发，量大从优，支持代发。",
                lines=("small_goods", "toys"),
            ),
        ),
    ),
    DemoVillage(
        YIWU_XIAWAN,
        520,
        (
            DemoShop("下湾袜业", YIWU_XIAWAN, "金红", lines=("socks",)),
            DemoShop("下湾饰品杂货", YIWU_XIAWAN, "傅强", lines=("small_goods",)),
        ),
    ),
    DemoVillage(
        SHUYANG_ZHOUQUAN,
        1330,
        (
            DemoShop(
                "周圈花木",
                SHUYANG_ZHOUQUAN,
                "周红",
                description="沭阳花木之乡，产地直发。",
                lines=("flowers",),
                featured=True,
            ),
            DemoShop("沭阳月季园", SHUYANG_ZHOUQUAN, "胡成", lines=("flowers",)),
            DemoShop("新河多肉基地", SHUYANG_ZHOUQUAN, "王燕", lines=("flowers",)),
        ),
    ),
    DemoVillage(
        SHUYANG_JIEQIAO,
        890,
        (DemoShop("解桥老式糕点", SHUYANG_JIEQIAO, "解华", lines=("pastry",)),),
    ),
    DemoVillage(
        PEKALONGAN_KAUMAN,
        410,
        (
            DemoShop(
                "Batik Kauman Ibu Siti",
                PEKALONGAN_KAUMAN,
                "Siti Aminah",
                description="Batik tulis asli Kampung Kauman, Pekalongan.",
                lines=("batik",),
                featured=True,
            ),
            DemoShop("Rumah Batik Jlamprang", PEKALONGAN_KAUMAN, "Ahmad Fauzi", lines=("batik",)),
        ),
    ),
    DemoVillage(
        WIRADESA_KAUMAN,
        620,
        (DemoShop("Batik Wiradesa", WIRADESA_KAUMAN, "Dewi Lestari", lines=("batik",)),),
    ),
)

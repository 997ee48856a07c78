"""Seed the category tree: 18 top categories, each with its subcategories.

Slugs are stable public identifiers (URLs, API filters, imports): never rename one
here; add a new migration to retire or add categories instead. Commission rates are
in basis points (100 = 1%), in the range marketplaces charge per category (about
2-5%): low for thin-margin electronics and farm produce, higher for beauty.
Subcategories inherit their parent's rate.
"""

from django.db import migrations

# (slug, English, Simplified Chinese, Indonesian, commission_bp, [(slug, en, zh, id), ...])
TREE = [
    ("clothing", "Clothing", "服装", "Pakaian", 300, [
        ("womens-clothing", "Women's clothing", "女装", "Pakaian wanita"),
        ("mens-clothing", "Men's clothing", "男装", "Pakaian pria"),
        ("childrens-clothing", "Children's clothing", "童装", "Pakaian anak"),
        ("underwear-sleepwear", "Underwear & sleepwear", "内衣家居服", "Pakaian dalam & tidur"),
        ("sportswear", "Sportswear", "运动服", "Pakaian olahraga"),
        ("traditional-clothing", "Traditional clothing", "民族服饰", "Pakaian tradisional"),
    ]),
    ("shoes", "Shoes", "鞋靴", "Sepatu", 300, [
        ("womens-shoes", "Women's shoes", "女鞋", "Sepatu wanita"),
        ("mens-shoes", "Men's shoes", "男鞋", "Sepatu pria"),
        ("sports-shoes", "Sports shoes", "运动鞋", "Sepatu olahraga"),
        ("sandals-slippers", "Sandals & slippers", "凉鞋拖鞋", "Sandal & sandal jepit"),
        ("childrens-shoes", "Children's shoes", "童鞋", "Sepatu anak"),
    ]),
    ("bags-luggage", "Bags & luggage", "箱包", "Tas & koper", 300, [
        ("handbags", "Handbags", "女包", "Tas tangan"),
        ("backpacks", "Backpacks", "双肩包", "Ransel"),
        ("suitcases", "Suitcases", "拉杆箱", "Koper"),
        ("wallets", "Wallets & purses", "钱包", "Dompet"),
        ("woven-bags", "Woven bags", "编织包", "Tas anyaman"),
    ]),
    ("furniture", "Furniture", "家具", "Mebel", 250, [
        ("solid-wood-furniture", "Solid-wood furniture", "实木家具", "Mebel kayu solid"),
        ("sofas", "Sofas", "沙发", "Sofa"),
        ("beds", "Beds", "床", "Tempat tidur"),
        ("tables-chairs", "Tables & chairs", "桌椅", "Meja & kursi"),
        ("storage-furniture", "Storage & wardrobes", "柜类收纳", "Lemari & penyimpanan"),
        ("outdoor-furniture", "Outdoor furniture", "户外家具", "Mebel luar ruangan"),
    ]),
    ("home-improvement", "Home improvement", "家装建材", "Renovasi rumah", 250, [
        ("lighting", "Lighting", "灯具照明", "Lampu & pencahayaan"),
        ("flooring-tiles", "Flooring & tiles", "地板瓷砖", "Lantai & keramik"),
        ("bathroom-fittings", "Bathroom fittings", "卫浴用品", "Perlengkapan kamar mandi"),
        ("paint-wallpaper", "Paint & wallpaper", "涂料墙纸", "Cat & wallpaper"),
        ("doors-windows", "Doors & windows", "门窗", "Pintu & jendela"),
    ]),
    ("household-appliances", "Household appliances", "家用电器", "Peralatan rumah tangga", 200, [
        ("kitchen-appliances", "Kitchen appliances", "厨房电器", "Peralatan dapur listrik"),
        ("large-appliances", "Large appliances", "大家电", "Elektronik rumah besar"),
        ("fans-heaters", "Fans & heaters", "风扇取暖", "Kipas angin & pemanas"),
        ("cleaning-appliances", "Cleaning appliances", "清洁电器", "Alat kebersihan listrik"),
        ("personal-care-appliances", "Personal-care appliances", "个护电器", "Alat perawatan diri"),
    ]),
    ("electronics", "Phones & digital", "手机数码", "Ponsel & elektronik", 200, [
        ("mobile-phones", "Mobile phones", "手机", "Ponsel"),
        ("phone-accessories", "Phone accessories", "手机配件", "Aksesori ponsel"),
        ("computers", "Computers & office", "电脑办公", "Komputer & kantor"),
        ("audio", "Headphones & speakers", "耳机音响", "Headphone & speaker"),
        ("cameras", "Cameras", "摄影摄像", "Kamera"),
        ("smart-devices", "Smart devices", "智能设备", "Perangkat pintar"),
    ]),
    ("food-farm-produce", "Food & farm produce", "食品生鲜", "Makanan & hasil tani", 200, [
        ("fresh-fruit", "Fresh fruit", "新鲜水果", "Buah segar"),
        ("vegetables", "Vegetables", "新鲜蔬菜", "Sayuran segar"),
        ("dried-goods-nuts", "Dried goods & nuts", "干货坚果", "Makanan kering & kacang"),
        ("tea", "Tea", "茶叶", "Teh"),
        ("rice-grains", "Rice & grains", "米面粮油", "Beras & biji-bijian"),
        ("local-specialities", "Local specialities", "地方特产", "Oleh-oleh khas daerah"),
    ]),
    ("mother-baby", "Mother & baby", "母婴", "Ibu & bayi", 300, [
        ("baby-food", "Formula & baby food", "奶粉辅食", "Susu & makanan bayi"),
        ("diapers-wipes", "Diapers & wipes", "尿裤湿巾", "Popok & tisu basah"),
        ("baby-clothing", "Baby clothing", "婴儿服饰", "Pakaian bayi"),
        ("strollers-car-seats", "Strollers & car seats", "童车座椅", "Kereta dorong & kursi mobil"),
        ("maternity", "Maternity", "孕产用品", "Perlengkapan ibu hamil"),
    ]),
    ("costumes-performance", "Costumes & performance wear", "演出服饰", "Kostum & busana pentas",
     300, [
        ("stage-costumes", "Stage costumes", "舞台演出服", "Kostum panggung"),
        ("dance-wear", "Dance wear", "舞蹈服", "Busana tari"),
        ("cosplay", "Cosplay", "动漫服装", "Kostum cosplay"),
        ("festival-costumes", "Festival costumes", "节日服装", "Kostum festival"),
        ("childrens-performance-wear", "Children's performance wear", "儿童表演服",
         "Kostum pentas anak"),
    ]),
    ("flowers-gardening", "Flowers, trees & gardening", "花木园艺", "Bunga, pohon & berkebun",
     250, [
        ("potted-plants", "Potted plants", "盆栽绿植", "Tanaman pot"),
        ("saplings", "Saplings & nursery trees", "苗木", "Bibit pohon"),
        ("seeds-bulbs", "Seeds & bulbs", "种子种球", "Benih & umbi"),
        ("fertiliser-soil", "Fertiliser & soil", "肥料营养土", "Pupuk & media tanam"),
        ("garden-tools", "Garden tools", "园艺工具", "Alat berkebun"),
        ("cut-flowers", "Cut flowers", "鲜花", "Bunga potong"),
    ]),
    ("hardware-tools", "Hardware & tools", "五金工具", "Perkakas & alat", 250, [
        ("hand-tools", "Hand tools", "手动工具", "Perkakas tangan"),
        ("power-tools", "Power tools", "电动工具", "Perkakas listrik"),
        ("fasteners", "Screws & fasteners", "紧固件", "Baut & pengencang"),
        ("locks-hinges", "Locks & hinges", "锁具合页", "Kunci & engsel"),
        ("measuring-tools", "Measuring tools", "测量工具", "Alat ukur"),
    ]),
    ("fitness-equipment", "Fitness equipment", "健身器材", "Alat kebugaran", 250, [
        ("treadmills", "Treadmills", "跑步机", "Treadmill"),
        ("dumbbells-weights", "Dumbbells & weights", "哑铃杠铃", "Dumbel & beban"),
        ("yoga", "Yoga", "瑜伽用品", "Perlengkapan yoga"),
        ("exercise-bikes", "Exercise bikes", "健身车", "Sepeda statis"),
        ("home-gyms", "Home gyms", "综合训练器", "Alat gym rumahan"),
    ]),
    ("petty-commodities", "Small goods", "小商品", "Barang kebutuhan kecil", 300, [
        ("stationery", "Stationery", "文具", "Alat tulis"),
        ("kitchenware", "Kitchenware", "厨房用品", "Peralatan dapur"),
        ("cleaning-supplies", "Cleaning supplies", "清洁用品", "Perlengkapan kebersihan"),
        ("storage-organisers", "Storage & organisers", "收纳用品", "Wadah & penyimpanan"),
        ("festive-goods", "Festive goods", "节庆用品", "Perlengkapan perayaan"),
        ("jewellery-accessories", "Jewellery & accessories", "饰品", "Perhiasan & aksesori"),
    ]),
    ("toys", "Toys", "玩具", "Mainan", 300, [
        ("plush-toys", "Plush toys", "毛绒玩具", "Boneka"),
        ("educational-toys", "Educational toys", "益智玩具", "Mainan edukasi"),
        ("outdoor-toys", "Outdoor toys", "户外玩具", "Mainan luar ruangan"),
        ("model-kits", "Models & kits", "模型玩具", "Model & rakitan"),
        ("wooden-toys", "Wooden toys", "木制玩具", "Mainan kayu"),
    ]),
    ("beauty-personal-care", "Beauty & personal care", "美妆个护", "Kecantikan & perawatan diri",
     400, [
        ("skincare", "Skincare", "护肤", "Perawatan kulit"),
        ("makeup", "Make-up", "彩妆", "Tata rias"),
        ("hair-care", "Hair care", "洗护发", "Perawatan rambut"),
        ("body-care", "Body care", "身体护理", "Perawatan tubuh"),
        ("fragrance", "Fragrance", "香水", "Parfum"),
        ("oral-care", "Oral care", "口腔护理", "Perawatan mulut"),
    ]),
    ("textiles-batik", "Textiles & batik", "纺织与蜡染", "Tekstil & batik", 250, [
        ("batik-cloth", "Batik cloth", "蜡染布", "Kain batik"),
        ("woven-ikat-songket", "Ikat & songket weaving", "织锦", "Tenun ikat & songket"),
        ("bedding", "Bedding", "床上用品", "Sprei & bed cover"),
        ("fabric-by-the-metre", "Fabric by the metre", "布料", "Kain meteran"),
        ("embroidery", "Embroidery", "刺绣", "Bordir"),
    ]),
    ("crafts", "Crafts", "手工艺品", "Kerajinan tangan", 250, [
        ("woodcarving", "Woodcarving", "木雕", "Ukiran kayu"),
        ("bamboo-rattan", "Bamboo & rattan weaving", "竹藤编", "Anyaman bambu & rotan"),
        ("ceramics-pottery", "Ceramics & pottery", "陶瓷", "Keramik & gerabah"),
        ("paper-cutting", "Paper-cutting", "剪纸", "Seni potong kertas"),
        ("silverwork", "Silverwork", "银饰工艺", "Kerajinan perak"),
    ]),
]


def seed(apps, schema_editor):
    Category = apps.get_model("catalog", "Category")
    for top_position, (slug, en, zh, id_, bp, children) in enumerate(TREE, start=1):
        names = {"name_en": en, "name_zh_hans": zh, "name_id": id_}
        top, _ = Category.objects.update_or_create(
            slug=slug,
            defaults={**names, "parent": None, "position": top_position * 10, "commission_bp": bp},
        )
        for position, (child_slug, child_en, child_zh, child_id) in enumerate(children, start=1):
            Category.objects.update_or_create(
                slug=child_slug,
                defaults={
                    "name_en": child_en,
                    "name_zh_hans": child_zh,
                    "name_id": child_id,
                    "parent": top,
                    "position": position * 10,
                    "commission_bp": bp,
                },
            )


def unseed(apps, schema_editor):
    Category = apps.get_model("catalog", "Category")
    child_slugs = [child[0] for top in TREE for child in top[5]]
    Category.objects.filter(slug__in=child_slugs).delete()
    Category.objects.filter(slug__in=[top[0] for top in TREE]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0002_labels_and_photo_order"),
    ]

    operations = [
        migrations.RunPython(seed, unseed),
    ]

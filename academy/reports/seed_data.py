"""Word lists for `academy dev seed`: plausible names, states and organisations."""

# Relative weights: the Eastern Partnership, Central Asia and the Western Balkans send most
# officials to the Academy's courses; EU member states fewer; a few partners' staff ("other").
COUNTRY_WEIGHTS = {
    "UA": 14, "MD": 9, "GE": 9, "AM": 7, "AZ": 6, "KZ": 6, "KG": 5, "UZ": 5, "TJ": 4, "TM": 2,
    "TR": 4, "RS": 3, "AL": 3, "BA": 3, "MK": 2, "ME": 2, "XK": 2,
    "PL": 2, "CZ": 2, "RO": 2, "BG": 1, "HU": 1, "SK": 1, "SI": 1, "HR": 1, "LT": 1, "LV": 1,
    "EE": 1, "DE": 1, "AT": 1, "FR": 1, "IT": 1, "ES": 1, "GR": 1, "SE": 1, "FI": 1, "NL": 1,
    "BE": 1, "DK": 1, "PT": 1, "IE": 1, "CY": 1, "MT": 1, "LU": 1, "CH": 1, "NO": 1, "LI": 1,
    "other": 1,
}

# States whose officials mostly write their names in Cyrillic too, and prefer Russian.
CYRILLIC_STATES = {"UA", "MD", "GE", "AM", "AZ", "KZ", "KG", "UZ", "TJ", "TM"}

# (Latin, Cyrillic) pairs, by region.
GIVEN_NAMES = {
    "caucasus": [("Nino", "Нино"), ("Giorgi", "Георгий"), ("Tamar", "Тамар"), ("Levan", "Леван"),
                 ("Ani", "Ани"), ("Armen", "Армен"), ("Narine", "Нарине"), ("Rashad", "Рашад"),
                 ("Leyla", "Лейла"), ("Elnur", "Эльнур"), ("Mariam", "Мариам"), ("Davit", "Давит")],
    "central_asia": [("Aigerim", "Айгерим"), ("Nurlan", "Нурлан"), ("Dilnoza", "Дильноза"),
                     ("Rustam", "Рустам"), ("Madina", "Мадина"), ("Bakyt", "Бакыт"),
                     ("Farrukh", "Фаррух"), ("Gulnara", "Гульнара"), ("Timur", "Тимур"),
                     ("Zarina", "Зарина"), ("Azamat", "Азамат"), ("Shahlo", "Шахло")],
    "east": [("Olena", "Олена"), ("Andrii", "Андрій"), ("Iryna", "Ирина"), ("Serhii", "Сергей"),
             ("Natalia", "Наталья"), ("Ion", "Ион"), ("Maria", "Мария"), ("Vasile", "Василе"),
             ("Oksana", "Оксана"), ("Dmytro", "Дмитрий"), ("Elena", "Елена"), ("Victor", "Виктор")],
    "west": [("Anna", ""), ("Jan", ""), ("Petra", ""), ("Marko", ""), ("Elif", ""), ("Mehmet", ""),
             ("Ana", ""), ("Luka", ""), ("Sofia", ""), ("Tomas", ""), ("Eva", ""), ("Andrea", ""),
             ("Jonas", ""), ("Marie", ""), ("Lucas", ""), ("Ivana", ""), ("Arben", ""), ("Edona", "")],
}
SURNAMES = {
    "caucasus": [("Beridze", "Беридзе"), ("Kapanadze", "Капанадзе"), ("Gelashvili", "Гелашвили"),
                 ("Hakobyan", "Акопян"), ("Petrosyan", "Петросян"), ("Sargsyan", "Саргсян"),
                 ("Mammadov", "Мамедов"), ("Aliyeva", "Алиева"), ("Huseynov", "Гусейнов"),
                 ("Lomidze", "Ломидзе"), ("Grigoryan", "Григорян"), ("Javakhishvili", "Джавахишвили")],
    "central_asia": [("Sadykova", "Садыкова"), ("Nurlanov", "Нурланов"), ("Karimov", "Каримов"),
                     ("Tashkentova", "Ташкентова"), ("Abdullaev", "Абдуллаев"),
                     ("Zhaksybekov", "Жаксыбеков"), ("Rakhimova", "Рахимова"),
                     ("Usmonov", "Усмонов"), ("Ismailova", "Исмаилова"), ("Bekov", "Беков")],
    "east": [("Kovalenko", "Коваленко"), ("Shevchenko", "Шевченко"), ("Bondarenko", "Бондаренко"),
             ("Rusu", "Русу"), ("Ceban", "Чебан"), ("Popescu", "Попеску"), ("Melnyk", "Мельник"),
             ("Tkachenko", "Ткаченко"), ("Lungu", "Лунгу"), ("Moroz", "Мороз")],
    "west": [("Novak", ""), ("Horvat", ""), ("Kowalska", ""), ("Yilmaz", ""), ("Demir", ""),
             ("Müller", ""), ("Rossi", ""), ("García", ""), ("Nilsson", ""), ("Dvořák", ""),
             ("Krasniqi", ""), ("Hoxha", ""), ("Petrović", ""), ("Papadopoulou", ""),
             ("Virtanen", ""), ("Dubois", ""), ("Jansen", ""), ("Silva", "")],
}
REGION = {"GE": "caucasus", "AM": "caucasus", "AZ": "caucasus",
          "KZ": "central_asia", "KG": "central_asia", "UZ": "central_asia", "TJ": "central_asia",
          "TM": "central_asia", "UA": "east", "MD": "east"}

# Kinds of services; each state has a few of them, named with the state's code.
ORGANISATION_KINDS = [
    "State Border Guard Service", "Migration Service", "Ministry of Internal Affairs",
    "Asylum and Refugee Department", "Border Police", "Ministry of Foreign Affairs",
    "Public Service Development Agency", "Ministry of Labour and Social Protection",
    "Office of the Ombudsperson", "Prosecutor's Office",
]
POSITIONS = ["Border Guard Officer", "Senior Inspector", "Asylum Caseworker", "Head of Unit",
             "Legal Adviser", "Migration Officer", "Policy Analyst", "Deputy Director"]

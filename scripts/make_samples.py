"""Generate the sample corpus corpus/samples/ (PDFs, metadata.csv, golden/*.json).

The text is the project's own, about invented countries. Each PDF exercises one layout
problem (articles, two columns, running headers/footers, footnotes, hyphenation, page
breaks mid-paragraph, no text layer). Deterministic: the same code writes the same files.

Usage: python scripts/make_samples.py [OUT_DIR]   (needs reportlab: pip install .[samples])
"""

from __future__ import annotations

import csv
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path

from reportlab.lib.pagesizes import A5
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from pipeline.clean import dehyphenate  # noqa: E402

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
W, H = A5
MARGIN = 42.0


def _fonts() -> tuple[str, str]:
    """DejaVu (has ligature glyphs) when present, else the built-in Times."""
    try:
        pdfmetrics.registerFont(TTFont("Body", str(FONT_DIR / "DejaVuSerif.ttf")))
        pdfmetrics.registerFont(TTFont("Bold", str(FONT_DIR / "DejaVuSerif-Bold.ttf")))
        return "Body", "Bold"
    except Exception:
        return "Times-Roman", "Times-Bold"


BODY, BOLD = "Body", "Bold"

# --- text of the documents: (style, text[, footnote]) ----------------------------------
# styles: h1, h2 (headings), art (article heading line), p (paragraph)

VALDORE_LAW = [
    ("h1", "TITRE I : DE L’ENTRÉE ET DU SÉJOUR"),
    ("h2", "Chapitre 1 : Dispositions générales"),
    ("art", "Article 1er"),
    (
        "p",
        "Tout étranger qui souhaite entrer sur le territoire de la République de Valdore doit présenter aux postes frontières un passeport en cours de validité et, le cas échéant, un visa délivré par les autorités consulaires. Les contrôles sont effectués par la police aux frontières, qui vérifie l’authenticité des documents de voyage et consulte les fichiers biométriques nationaux.",
    ),
    ("art", "Article 2"),
    (
        "p",
        "Les transporteurs aériens et maritimes sont tenus de s’assurer que les passagers qu’ils acheminent disposent des documents exigés pour l’entrée. Le transporteur qui débarque un passager dépourvu de ces documents est redevable d’une amende administrative fixée par arrêté du ministre de l’Intérieur.",
    ),
    ("art", "Article 3"),
    (
        "p",
        "Le fait d’aider, directement ou indirectement, un étranger à entrer ou à séjourner irrégulièrement sur le territoire est puni de cinq ans d’emprisonnement. Les peines sont doublées lorsque l’infraction est commise en bande organisée ou qu’elle expose les personnes à un risque de mort.",
    ),
    ("h2", "Chapitre 2 : Protection des personnes vulnérables"),
    ("art", "Article 4"),
    (
        "p",
        "L’étranger qui sollicite l’asile à la frontière est admis sur le territoire le temps nécessaire à l’examen de sa demande. Il bénéficie de l’assistance d’un interprète et peut être assisté d’un avocat. Aucune mesure d’éloignement ne peut être exécutée avant que l’autorité compétente ait statué sur sa demande.",
    ),
    ("art", "Article 5"),
    (
        "p",
        "Le mineur étranger non accompagné est confié sans délai aux services de l’aide à l’enfance. Un administrateur ad hoc est désigné pour le représenter dans toutes les procédures administratives et juridictionnelles relatives à son entrée et à son séjour.",
    ),
    (
        "p",
        "Les victimes de la traite des êtres humains qui coopèrent avec les autorités judiciaires se voient délivrer une carte de séjour temporaire d’une durée de six mois, renouvelable pendant toute la durée de la procédure pénale.",
    ),
    ("h1", "TITRE II : DU RETOUR ET DE L’INTÉGRATION"),
    ("h2", "Chapitre 1 : Éloignement"),
    ("art", "Article 6"),
    (
        "p",
        "L’autorité administrative peut obliger à quitter le territoire l’étranger qui ne justifie pas d’un droit au séjour. La décision fixe un délai de départ volontaire de trente jours, pendant lequel l’intéressé peut solliciter une aide au retour et à la réinsertion dans son pays d’origine.",
    ),
    ("art", "Article 7"),
    (
        "p",
        "Lorsque l’exécution de la mesure d’éloignement l’exige, l’étranger peut être placé en rétention pour une durée qui ne peut excéder quarante-cinq jours. Le juge des libertés contrôle la légalité du placement et peut y mettre fin à tout moment.",
    ),
    (
        "p",
        "Les accords de réadmission conclus avec les États voisins précisent les modalités de remise des personnes et les garanties qui leur sont accordées pendant le transfert.",
    ),
    ("h2", "Chapitre 2 : Intégration"),
    ("art", "Article 8"),
    (
        "p",
        "L’étranger admis pour la première fois au séjour en vue d’une installation durable signe un contrat d’intégration républicaine. Il s’engage à suivre une formation civique et, si nécessaire, des cours de langue dont le volume horaire est adapté à son niveau.",
    ),
    ("art", "Article 9"),
    (
        "p",
        "Le conjoint et les enfants mineurs d’un étranger résidant régulièrement depuis au moins dix-huit mois peuvent être autorisés à le rejoindre au titre du regroupement familial, sous réserve de ressources stables et d’un logement adapté.",
    ),
    ("art", "Article 10"),
    (
        "p",
        "L’étranger qui justifie de cinq années de résidence régulière et d’une connaissance suffisante de la langue peut solliciter une carte de résident de longue durée. La naturalisation peut être accordée après dix années de résidence.",
    ),
    ("art", "Article 11"),
    (
        "p",
        "La présente loi entre en vigueur le premier jour du troisième mois suivant sa publication au Journal officiel. Les titres de séjour délivrés avant cette date demeurent valables jusqu’à leur expiration.",
    ),
]

NORLAND_STRATEGY = [
    ("h1", "National Migration Strategy 2024-2030"),
    ("h2", "1. Diaspora and remittances"),
    (
        "p",
        "The Kingdom of Norland counts more than two million citizens living abroad. Their remittances amount to nine percent of national income and finance the education and housing of many rural families. The Government will reduce the cost of sending money home by licensing mobile transfer operators and publishing a quarterly comparison of fees.",
        "Central Bank of Norland, Annual Report on External Flows, 2023.",
    ),
    (
        "p",
        "A Diaspora Council will be created to advise the ministries on investment, skills transfer and cultural ties. Diaspora bonds will be issued in small denominations so that workers abroad can finance infrastructure in their home provinces.",
    ),
    (
        "p",
        "Consulates will keep a voluntary register of professionals abroad who wish to share their knowledge through short assignments in hospitals, universities and public agencies at home.",
    ),
    ("h2", "2. Labour mobility"),
    (
        "p",
        "Norland will negotiate bilateral labour agreements with destination countries that guarantee fair recruitment, written contracts and the portability of social security rights. Private recruitment agencies will be licensed and may not charge any fee to workers.",
        "Ministry of Labour, Survey of Recruitment Costs, 2022.",
    ),
    (
        "p",
        "Before departure, every worker will attend a free orientation course covering contracts, rights at work, health insurance and how to contact the consulate in case of difficulty. Employers abroad will be invited to take part in joint job fairs.",
    ),
    (
        "p",
        "Qualifications obtained in Norland will be described in a national framework aligned with regional standards, so that nurses, electricians and drivers can have their skills recognised without repeating their training.",
    ),
    ("h2", "3. Development in regions of origin"),
    (
        "p",
        "Emigration is highest in the northern highlands, where farms are small and droughts have become frequent. The strategy directs public investment to irrigation, rural roads and vocational schools in these provinces, with the aim of creating forty thousand jobs by 2030.",
        "National Statistics Office, Labour Force Survey, 2023.",
    ),
    (
        "p",
        "Local development funds will match every unit of diaspora investment in a productive project, giving priority to cooperatives led by young people and women.",
    ),
    ("h2", "4. Governance and cooperation"),
    (
        "p",
        "An inter-ministerial committee chaired by the Prime Minister will coordinate the implementation of this strategy. It will meet every quarter and publish an annual progress report based on indicators agreed with civil society.",
    ),
    (
        "p",
        "Norland will strengthen its migration statistics by linking border, consular and labour records, and will share anonymised data with its regional partners. The Government will ratify the outstanding international conventions on the rights of migrant workers and take part actively in regional consultative processes.",
    ),
    (
        "p",
        "The strategy will be reviewed at mid-term in 2027. The review will assess whether the measures reached the intended regions and propose changes to the legal framework where needed.",
    ),
]

SUDMARK_ACT = [
    ("h1", "Immigration and Work Act 2023"),
    ("h2", "Part 1 - Entry"),
    ("art", "Section 1 - Visas"),
    (
        "p",
        "(1) A person who is not a citizen of the Republic of Sudmark may enter the Republic only with a valid passport and a visa issued under this Act.",
    ),
    (
        "p",
        "(2) The Minister may by regulation exempt nationals of specified states from the visa requirement for visits of up to ninety days.",
    ),
    (
        "p",
        "(3) An immigration officer at a port of entry shall examine the travel documents of every arriving passenger and may refuse entry to a person who does not meet the conditions of this section.",
    ),
    ("art", "Section 2 - Border records"),
    (
        "p",
        "(1) The Department of Immigration shall record the entry and exit of every foreign national, including biometric data, in the national border register.",
    ),
    (
        "p",
        "(2) Data in the register shall be kept for no longer than ten years and may be disclosed only for the purposes stated in this Act.",
    ),
    ("h2", "Part 2 - Employment"),
    ("art", "Section 3 - Work permits"),
    (
        "p",
        "(1) No foreign national shall take up employment in Sudmark without a work permit issued by the Department of Labour.",
    ),
    (
        "p",
        "(2) A work permit shall be issued on the application of an employer who shows that the position was advertised nationally for at least four weeks without a suitable applicant.",
    ),
    (
        "p",
        "(3) Occupations listed in the annual shortage list are exempt from the requirement in subsection (2).",
    ),
    ("art", "Section 4 - Seasonal workers"),
    (
        "p",
        "(1) The Minister may establish a seasonal worker scheme for agriculture and tourism, with an annual quota set after consultation with employers and trade unions.",
    ),
    (
        "p",
        "(2) Employers taking part in the scheme shall provide decent housing and pay the travel costs of the worker to and from Sudmark.",
    ),
    ("art", "Section 5 - Offences"),
    (
        "p",
        "(1) An employer who employs a foreign national without a valid work permit commits an offence and is liable to a fine not exceeding fifty thousand dollars for each worker.",
    ),
    ("h2", "Part 3 - Health"),
    ("art", "Section 6 - Medical examination"),
    (
        "p",
        "(1) An applicant for a residence permit of more than twelve months shall undergo a medical examination by a physician approved by the Ministry of Health.",
    ),
    (
        "p",
        "(2) Foreign nationals holding a work permit shall be enrolled in the national health insurance scheme on the same terms as citizens.",
    ),
    (
        "p",
        "(3) Nothing in this Act shall prevent a person from receiving emergency medical treatment, whatever his or her immigration status.",
    ),
]

VALDORE_REPORT = [
    ("h1", "Rapport sur la politique migratoire de la République de Valdore"),
    ("h2", "1. Contexte"),
    (
        "p",
        "La République de Valdore accueille chaque année près de trente mille ressortissants étrangers, dont une majorité de travailleurs saisonniers employés dans l’agriculture et la restauration. Cette migration de main-d’œuvre répond à des besoins réels, mais elle demeure insuffisamment encadrée par les pouvoirs publics.",
        "Office valdorien de la statistique, enquête annuelle sur l’emploi, 2023.",
    ),
    (
        "p",
        "Le présent rapport examine la coordination entre les administrations chargées de l’immigration, les conditions de recrutement des travailleurs étrangers et l’efficacité des dispositifs d’accompagnement proposés aux nouveaux arrivants.",
    ),
    ("h2", "2. Organisation de la migration de travail"),
    (
        "p",
        "Les autorisations de travail sont délivrées par trois administrations différentes, ce qui allonge considérablement les délais d’instruction. Les employeurs interrogés estiment que la procédure dure en moyenne quatre mois, alors que les besoins de recrutement sont souvent immédiats. Le rapport recommande la création d’un guichet unique et la dématérialisation complète des demandes.",
    ),
    (
        "p",
        "Les agences privées de recrutement jouent un rôle croissant, parfois au détriment des travailleurs, à qui des frais illégaux sont réclamés. Une certification obligatoire de ces agences, assortie de contrôles réguliers, permettrait de garantir un recrutement équitable.",
        "Inspection générale du travail, rapport de contrôle des agences de placement, 2022.",
    ),
    (
        "p",
        "La reconnaissance des qualifications professionnelles obtenues à l’étranger reste exceptionnelle. De nombreux infirmiers et techniciens occupent ainsi des emplois peu qualifiés, ce qui constitue une perte pour l’économie nationale.",
    ),
    ("h2", "3. Santé des travailleurs migrants"),
    (
        "p",
        "L’accès aux soins des travailleurs saisonniers est limité par l’éloignement des exploitations et par la méconnaissance de leurs droits. Les services de santé au travail devraient organiser des consultations sur les lieux de travail et proposer une information dans les principales langues parlées par les travailleurs.",
    ),
    (
        "p",
        "La surveillance épidémiologique à la frontière a été renforcée, mais les examens médicaux d’admission sont encore effectués sans coordination avec les médecins traitants, ce qui entraîne des doublons coûteux et une mauvaise transmission des informations.",
    ),
    ("h2", "4. Coopération et cadre institutionnel"),
    (
        "p",
        "Le rapport souligne l’absence d’une stratégie nationale écrite. Chaque ministère définit ses propres priorités sans concertation suffisante, et les statistiques migratoires ne sont pas harmonisées. Il propose l’adoption d’une stratégie pluriannuelle, pilotée par un comité interministériel et évaluée tous les trois ans.",
    ),
    (
        "p",
        "Sur le plan international, la République de Valdore gagnerait à approfondir le dialogue avec les pays d’origine de ses travailleurs saisonniers, notamment par la conclusion d’accords bilatéraux de main-d’œuvre et la participation aux processus consultatifs régionaux.",
        "Voir la déclaration commune adoptée lors de la conférence régionale de 2021.",
    ),
]

NORLAND_EVALUATION = [
    ("h1", "Evaluation of the Returnee Reintegration Programme"),
    ("h2", "1. Introduction"),
    (
        "p",
        "This evaluation reviews the reintegration programme that the Kingdom of Norland has run since 2019 for citizens returning from abroad, whether they come back voluntarily or following a removal decision in a destination country. The programme offers reception at the airport, temporary accommodation, counselling and small business grants. The evaluation team visited four provinces, interviewed one hundred and twenty returnees and met the officials of the reception centres, the regional employment offices and the non-governmental organisations that deliver most of the services under contract with the Ministry of Social Affairs.",
    ),
    (
        "p",
        "The evaluation asked three questions: whether returnees received the support they were promised, whether that support helped them to find a stable income, and whether the programme is managed efficiently enough to be extended to all provinces after 2025.",
    ),
    ("h2", "2. Findings"),
    (
        "p",
        "Reception at the airport works well. Returnees are met by trained staff, receive a small cash allowance and are registered in the case management system within the first day. Most interviewees described the reception as respectful and useful, especially those who had been removed at short notice and arrived without savings or luggage. However, the temporary accommodation is available in the capital only, and returnees from distant provinces often spend their allowance on transport before any counselling has begun. The team also found that women returning with children were rarely offered childcare during counselling sessions, which in practice excluded many of them from the business training.",
    ),
    (
        "p",
        "The business grants have a mixed record. Two thirds of the small enterprises funded in 2020 were still active three years later, mainly in trade, tailoring and motorcycle repair, but the grants were too small to create jobs beyond the returnee's own household. Returnees who had received vocational training abroad were seldom able to use it, because their certificates were not recognised by national employers.",
    ),
    (
        "p",
        "Psychosocial support is the weakest component of the programme. Only one counsellor is available for each province, and returnees who suffered violence during their journey or in detention abroad are not systematically referred to specialised care.",
    ),
    (
        "table",
        [
            ["Result", "Target", "2023"],
            ["Returnees registered on the day of their arrival", "95%", "98%"],
            ["Businesses funded in 2020 still active three years later", "60%", "66%"],
            ["Returnees in need referred to specialised psychological care", "50%", "12%"],
        ],
    ),
    ("h2", "3. Management"),
    (
        "p",
        "The case management system is a real achievement: every returnee has a file that follows him or her from the airport to the provincial office. Yet the data are not used for planning, and the ministry does not know how many returnees are expected in the coming year. Cooperation with the destination countries that fund part of the programme is good at the technical level, but the funding is decided year by year, which prevents the partner organisations from keeping experienced staff for longer than twelve months and makes every new call for proposals a source of delay.",
    ),
    (
        "p",
        "The cost per returnee fell by a quarter between 2019 and 2023, mainly because the reception centres were merged and the registration was digitised.",
    ),
    ("h2", "4. Recommendations"),
    (
        "p",
        "The evaluation recommends that the ministry open reception facilities in the three provinces that receive most returnees, double the number of counsellors, raise the business grants for group projects, and agree a multi-year funding arrangement with its international partners. It further recommends that returnees' foreign qualifications be assessed during counselling so that they can be referred to suitable employers, and that the case management data be published every year in an anonymised form to support planning and public accountability.",
    ),
]

VALDORE_PLAN = [
    ("h1", "Plan d’action pour l’accueil des réfugiés 2025-2027"),
    ("h2", "Axe 1 : Accueil et protection"),
    (
        "p",
        "L’État garantira à chaque demandeur d’asile un hébergement dans un centre d’accueil dès l’enregistrement de sa demande. Les capacités d’accueil seront portées à six mille places d’ici la fin de l’année 2026.",
    ),
    (
        "p",
        "Une procédure d’identification des personnes vulnérables sera mise en place dès l’arrivée : victimes de torture, femmes seules avec enfants, personnes handicapées et mineurs non accompagnés bénéficieront d’un suivi adapté.",
    ),
    ("h2", "Axe 2 : Santé"),
    (
        "p",
        "Un bilan de santé gratuit sera proposé à tous les demandeurs d’asile dans les trois mois suivant leur arrivée. Les centres d’accueil disposeront d’une permanence infirmière et d’un accès à des consultations de santé mentale.",
    ),
    ("h2", "Axe 3 : Intégration"),
    (
        "p",
        "Les réfugiés statutaires suivront un parcours d’intégration comprenant quatre cents heures de cours de langue, une formation civique et un accompagnement vers l’emploi. Les communes qui accueillent des familles réfugiées recevront une dotation pour le logement et la scolarisation des enfants.",
    ),
    (
        "p",
        "Des actions de sensibilisation seront menées auprès des employeurs et des associations de quartier afin de favoriser la cohésion sociale et de lutter contre les discriminations.",
    ),
    (
        "p",
        "Le plan sera évalué chaque année par un comité de suivi associant les collectivités, les associations et des représentants des réfugiés eux-mêmes.",
    ),
]


@dataclass
class Doc:
    """One sample document: its content, layout options and metadata."""

    name: str
    content: list[tuple]
    country: str
    year: int
    title: str
    doc_type: str
    lang: str
    header: str = ""
    footer: str = "Page {n}/{N}"
    columns: int = 1
    size: float = 10.0
    hyphenate: bool = False
    image_only: bool = False
    golden: dict = field(default_factory=dict)


DOCS = [
    Doc(
        "valdore_loi_immigration_2022",
        VALDORE_LAW,
        "Valdore",
        2022,
        "Loi n° 2022-14 relative à l’entrée, au séjour et à l’intégration des étrangers",
        "law",
        "fr",
        header="Journal officiel de la République de Valdore",
    ),
    Doc(
        "norland_migration_strategy_2024",
        NORLAND_STRATEGY,
        "Norland",
        2024,
        "National Migration Strategy 2024-2030",
        "strategy",
        "en",
        header="Kingdom of Norland - National Migration Strategy",
        footer="- {n} -",
        columns=2,
        size=9.0,
    ),
    Doc(
        "sudmark_immigration_act_2023",
        SUDMARK_ACT,
        "Sudmark",
        2023,
        "Immigration and Work Act 2023",
        "law",
        "en",
        header="Republic of Sudmark - Immigration and Work Act 2023",
        footer="{n} of {N}",
    ),
    Doc(
        "valdore_rapport_migration_travail_2023",
        VALDORE_REPORT,
        "Valdore",
        2023,
        "Rapport sur la politique migratoire",
        "report",
        "fr",
        header="Rapport sur la politique migratoire - ﬁnal",
        footer="{n}",
        hyphenate=True,
    ),
    Doc(
        "norland_reintegration_evaluation_2024",
        NORLAND_EVALUATION,
        "Norland",
        2024,
        "Evaluation of the Returnee Reintegration Programme",
        "evaluation",
        "en",
        header="Ministry of Social Affairs of Norland - Evaluation Series",
        footer="Page {n}",
    ),
    Doc(
        "valdore_plan_refugies_scan_2025",
        VALDORE_PLAN,
        "Valdore",
        2025,
        "Plan d’action pour l’accueil des réfugiés (scan)",
        "action_plan",
        "fr",
        image_only=True,
    ),
    Doc(
        "valdore_plan_refugies_2025",
        VALDORE_PLAN,
        "Valdore",
        2025,
        "Plan d’action pour l’accueil des réfugiés 2025-2027",
        "action_plan",
        "fr",
        header="Ministère de l’Intérieur de Valdore",
        footer="{n}/{N}",
        columns=2,
        size=10.5,
    ),
]


# --- layout --------------------------------------------------------------------------


def _width(text: str, font: str, size: float) -> float:
    return pdfmetrics.stringWidth(text, font, size)


def _break_word(word: str, room: float, font: str, size: float) -> tuple[str, str] | None:
    """Split ``word`` as "left-" + "right" fitting ``room``, only where dehyphenation
    restores it exactly (so the golden text stays the truth)."""
    if "-" in word:
        left, _, right = word.partition("-")
        if _width(left + "-", font, size) <= room and dehyphenate(f"{left}-\n{right}") == word:
            return left + "-", right
        return None
    letters = word.rstrip(".,;:!?)»")
    for cut in range(len(letters) - 3, 3, -1):
        left, right = word[:cut], word[cut:]
        if not left[-1].isalpha() or not right[0].isalpha():
            continue
        if _width(left + "-", font, size) <= room and dehyphenate(f"{left}-\n{right}") == word:
            return left + "-", right
    return None


def wrap(text: str, width: float, font: str, size: float, hyphenate: bool) -> list[list[str]]:
    """Greedy line breaking; returns lines as lists of words."""
    words = text.split()
    lines: list[list[str]] = []
    cur: list[str] = []
    space = _width(" ", font, size)
    i = 0
    while i < len(words):
        w = words[i]
        used = sum(_width(x, font, size) for x in cur) + space * len(cur)
        if used + _width(w, font, size) <= width or not cur:
            cur.append(w)
            i += 1
            continue
        if hyphenate and len(w) >= 7:
            parts = _break_word(w, width - used, font, size)
            if parts:
                cur.append(parts[0])
                words[i] = parts[1]
        lines.append(cur)
        cur = []
    if cur:
        lines.append(cur)
    return lines


class Layout:
    """Flows headings and paragraphs into column frames on A5 pages; records draw ops."""

    def __init__(self, doc: Doc):
        self.doc = doc
        self.pages: list[dict] = []
        self.note_no = 0
        ncol = doc.columns
        gutter = 16.0
        self.col_w = (W - 2 * MARGIN - gutter * (ncol - 1)) / ncol
        self.xs = [MARGIN + i * (self.col_w + gutter) for i in range(ncol)]
        self.has_notes = any(len(item) > 2 for item in doc.content)
        self.bottom = MARGIN + (70 if self.has_notes else 14)
        self.top = H - MARGIN - 16
        self._new_page()

    def _new_page(self) -> None:
        self.pages.append({"ops": [], "notes": []})
        self.col, self.y = 0, self.top

    def _advance(self, need: float) -> None:
        if self.y - need < self.bottom:
            if self.col + 1 < len(self.xs):
                self.col, self.y = self.col + 1, self.col_top
            else:
                self._new_page()
                self.col_top = self.top

    def full_width(self, text: str, font: str, size: float) -> None:
        """A heading across the whole page (closes the current column band)."""
        for words in wrap(text, W - 2 * MARGIN, font, size, False):
            self._advance(size * 3)
            self.pages[-1]["ops"].append(
                ("text", MARGIN, self.y - size, " ".join(words), font, size)
            )
            self.y -= size * 1.4
        self.y -= size * 0.6
        self.col_top = self.y

    def paragraph(self, text: str, font: str, size: float, note: str | None, gap: float) -> None:
        """Lay out one paragraph, justified, with an optional footnote marker at its end."""
        lead = size * 1.35
        lines = wrap(text, self.col_w - (6 if note else 0), font, size, self.doc.hyphenate)
        for k, words in enumerate(lines):
            self._advance(lead)
            x, y = self.xs[self.col], self.y - size
            last = k == len(lines) - 1
            if last or len(words) == 1 or font != BODY:
                self.pages[-1]["ops"].append(("text", x, y, " ".join(words), font, size))
                end = x + _width(" ".join(words), font, size)
            else:  # justified: words placed one by one
                total = sum(_width(w, font, size) for w in words)
                sp = (self.col_w - total) / (len(words) - 1)
                for w in words:
                    self.pages[-1]["ops"].append(("text", x, y, w, font, size))
                    x += _width(w, font, size) + sp
                end = x
            if last and note:
                self.note_no += 1
                self.pages[-1]["ops"].append(
                    ("text", end + 1, y + size * 0.4, str(self.note_no), font, size * 0.6)
                )
                self.pages[-1]["notes"].append((self.note_no, note))
            self.y -= lead
        self.y -= gap


    def table(self, rows: list[list[str]], font: str, size: float) -> list[str]:
        """A ruled table across the column (first column half its width), kept on one page;
        returns its rows as capmap reads them ("cell | cell | cell")."""
        pad, lead = 3.0, size * 1.3
        first = self.col_w / 2
        rest = (self.col_w - first) / (len(rows[0]) - 1)
        widths = [first] + [rest] * (len(rows[0]) - 1)
        cells = [
            [wrap(text, w - 2 * pad, font, size, False) for text, w in zip(row, widths, strict=True)]
            for row in rows
        ]
        heights = [max(len(c) for c in row) * lead + 2 * pad for row in cells]
        self._advance(sum(heights) + size)
        x0, y = self.xs[self.col], self.y
        ops = self.pages[-1]["ops"]
        edges = [x0 + sum(widths[:i]) for i in range(len(widths) + 1)]
        ops.append(("line", edges[0], y, edges[-1], y))
        for row, height in zip(cells, heights, strict=True):
            for x, lines in zip(edges, row, strict=False):  # edges: one more than cells
                for k, words in enumerate(lines):
                    ops.append(("text", x + pad, y - pad - size - k * lead, " ".join(words),
                                font, size))
            y -= height
            ops.append(("line", edges[0], y, edges[-1], y))
        for x in edges:
            ops.append(("line", x, self.y, x, y))
        self.y = y - size
        return [" | ".join(row) for row in rows]


def _draw_text_image(c: canvas.Canvas, ops: list[tuple]) -> None:
    from PIL import Image, ImageDraw, ImageFont

    scale = 2
    img = Image.new("L", (int(W * scale), int(H * scale)), 255)
    draw = ImageDraw.Draw(img)
    for _, x, y, text, _font, size in ops:
        f = ImageFont.truetype(str(FONT_DIR / "DejaVuSerif.ttf"), int(size * scale))
        draw.text((x * scale, (H - y - size) * scale), text, fill=0, font=f)
    from reportlab.lib.utils import ImageReader

    c.drawImage(ImageReader(img), 0, 0, W, H)


def render(doc: Doc, out: Path) -> dict:
    """Write ``doc`` as a PDF at ``out``; return its golden text."""
    lay = Layout(doc)
    body: list[str] = []
    footnotes: list[str] = []
    tables: list[str] = []
    lay.col_top = lay.top
    for item in doc.content:
        style, text = item[0], item[1]
        note = item[2] if len(item) > 2 else None
        if style == "table":
            tables += lay.table(text, BODY, doc.size - 1)
            continue
        if style == "h1":
            lay.full_width(text, BOLD, doc.size + 4)
        elif style == "h2":
            if doc.columns == 1:
                lay.full_width(text, BOLD, doc.size + 2)
            else:
                lay.paragraph(text, BOLD, doc.size + 1.5, None, doc.size * 0.6)
        elif style == "art":
            lay.paragraph(text, BOLD, doc.size, None, 2)
        else:
            lay.paragraph(text, BODY, doc.size, note, doc.size * 0.9)
        body.append(text)
        if note:
            footnotes.append(f"{lay.note_no} {note}")
    n_pages = len(lay.pages)
    c = canvas.Canvas(str(out), pagesize=A5, invariant=1)
    c.setTitle(doc.title)
    running: list[str] = []
    for n, page in enumerate(lay.pages, start=1):
        ops = list(page["ops"])
        if doc.header:
            ops.append(("text", MARGIN, H - MARGIN + 8, doc.header, BODY, 7.5))
            running.append(doc.header)
        if doc.footer:
            footer = doc.footer.format(n=n, N=n_pages)
            ops.append(("text", W / 2 - _width(footer, BODY, 8) / 2, MARGIN - 20, footer, BODY, 8))
            running.append(footer)
        y = lay.bottom - 14
        for no, note in page["notes"]:
            for words in wrap(f"{no} {note}", W - 2 * MARGIN, BODY, 7.5, False):
                ops.append(("text", MARGIN, y, " ".join(words), BODY, 7.5))
                y -= 9.5
        if doc.image_only:
            _draw_text_image(c, [op for op in ops if op[0] == "text"])
        else:
            for op in ops:
                if op[0] == "line":
                    c.setLineWidth(0.5)
                    c.line(*op[1:])
                    continue
                _, x, yy, text, font, size = op
                c.setFont(font, size)
                c.drawString(x, yy, text)
        c.showPage()
    c.save()
    return {
        "body": body,
        "footnotes": footnotes,
        "tables": tables,
        "running": sorted(set(running)),
        "pages": n_pages,
    }


def main(out_dir: Path) -> None:
    """Write all sample PDFs, metadata.csv and golden/*.json under ``out_dir``."""
    global BODY, BOLD
    BODY, BOLD = _fonts()
    (out_dir / "golden").mkdir(parents=True, exist_ok=True)
    meta = []
    for doc in DOCS:
        pdf = out_dir / f"{doc.name}.pdf"
        golden = render(doc, pdf)
        golden.update(name=doc.name, lang=doc.lang, image_only=doc.image_only)
        (out_dir / "golden" / f"{doc.name}.json").write_text(
            json.dumps(golden, ensure_ascii=False, indent=1) + "\n", "utf-8"
        )
        meta.append(
            {
                "path": pdf.name,
                "country": doc.country,
                "year": doc.year,
                "title": doc.title,
                "doc_type": doc.doc_type,
            }
        )
        print(f"{pdf}: {golden['pages']} pages")
    with open(out_dir / "metadata.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=["path", "country", "year", "title", "doc_type"])
        w.writeheader()
        w.writerows(meta)


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("corpus/samples"))

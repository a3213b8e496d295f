"""Write corpus/annotations/wave5_headings.jsonl: short headings, titles and page furniture
with no area (taxonomy rule 6: headings carry no label), in French and English.

Real documents are full of these (a fifth of the units extracted from real PDFs have under
five words) while the written annotations had 59. The topic phrases and heading frames
below are the capmap team's own; the file is composed from them with a fixed seed, so
running this again gives the same file.

Usage: python scripts/make_heading_annotations.py
"""

import json
import random
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "corpus" / "annotations" / "wave5_headings.jsonl"
PER_LANGUAGE = 150  # composed headings per language, besides the page furniture
rng = random.Random(5)
TOPICS = {
 "fr": [
  "des transferts de fonds des travailleurs émigrés", "de la mobilisation de la diaspora", "du conseil des Sénégalais de l'extérieur",
  "de l'investissement des expatriés", "du contrôle aux points de passage frontaliers", "des visas de court séjour", "des documents de voyage",
  "de la lutte contre le trafic de migrants", "de la traite des êtres humains", "de la zone d'attente", "du droit d'asile",
  "de la protection subsidiaire", "des mineurs non accompagnés", "de l'apatridie", "des droits des travailleurs migrants",
  "de l'autorisation de travail", "des travailleurs saisonniers", "des agences de recrutement", "des accords de main-d'œuvre",
  "de la reconnaissance des qualifications", "du développement des zones de départ", "de l'emploi des jeunes ruraux",
  "du contrôle sanitaire aux frontières", "de l'examen médical des étrangers", "de l'accès aux soins", "de la santé mentale des migrants",
  "de l'éloignement des étrangers", "de l'obligation de quitter le territoire", "de la rétention administrative",
  "de l'aide au retour volontaire", "de la réinsertion des migrants de retour", "des accords de réadmission",
  "du regroupement familial", "du contrat d'intégration", "de l'apprentissage de la langue", "de la naturalisation",
  "de la carte de résident", "de la lutte contre les discriminations", "de la politique migratoire nationale",
  "de la coopération régionale", "du comité interministériel des migrations", "des données sur les migrations",
  "des séjours pour études", "des titres de séjour pluriannuels", "de l'entrée et du séjour des étrangers",
 ],
 "en": [
  "diaspora remittances", "diaspora engagement and investment", "nationals living abroad", "skills transfer from the diaspora",
  "border checks at ports of entry", "short-stay visas", "passports and travel documents", "smuggling of migrants",
  "trafficking in persons", "advance passenger information", "asylum applications", "refugee status determination",
  "unaccompanied children", "statelessness", "migrant workers' rights", "work permits", "seasonal workers",
  "recruitment agencies", "bilateral labour agreements", "recognition of foreign qualifications",
  "development in high-emigration districts", "youth employment in rural areas", "health screening of arrivals",
  "medical examinations", "migrants' access to health care", "tuberculosis testing", "removal and deportation",
  "detention pending removal", "assisted voluntary return", "reintegration of returnees", "readmission agreements",
  "family reunification", "integration courses", "language requirements", "citizenship and naturalisation",
  "long-term residence", "non-discrimination", "national migration policy", "regional cooperation on migration",
  "migration data and statistics", "student visas", "sponsorship of skilled workers", "temporary protection",
  "victims of exploitation", "permanent residence",
 ],
}
FRAMES = {
 "fr": {
  "legislation": ["Titre {r} – {T}", "Chapitre {r} : {T}", "CHAPITRE {r} – {U}", "Section {n} – {T}", "Livre {r} – {T}", "Sous-section {n} : {T}"],
  "regulation": ["Chapitre {r} – Dispositions relatives {t}", "Section {n} : Modalités d'application {t}", "Annexe {n} – Formulaire relatif {t}"],
  "strategy": ["Axe stratégique {n} : {T}", "Objectif spécifique {n}.{m} – {T}", "Pilier {n} – {T}"],
  "action_plan": ["Action {n}.{m} : {T}", "Résultat attendu {n} – {T}", "Tableau {n} : Budget indicatif {t}"],
  "evaluation_report": ["{n}.{m} Constats relatifs {t}", "Encadré {n} : {T}", "Figure {n} – Évolution {t}", "Annexe {r} – Étude de cas {t}"],
  "guidance": ["Fiche pratique – {T}", "Questions fréquentes : {T}", "Démarches {t}", "Guide pratique : {T}"],
 },
 "en": {
  "legislation": ["PART {r} — {U}", "Part {n}: {C}", "Chapter {r} – {C}", "Division {n} — {C}", "Schedule {n}: {C}", "Subpart {n} — {C}"],
  "regulation": ["Regulations on {t}", "Section {n} — Procedure for {t}", "Form {n}: Application concerning {t}"],
  "strategy": ["Strategic priority {n}: {C}", "Outcome {n}.{m} — {C}", "Pillar {n}: {C}"],
  "action_plan": ["Activity {n}.{m}: {C}", "Output {n} — {C}", "Table {n}: Indicative budget for {t}"],
  "evaluation_report": ["{n}.{m} Findings on {t}", "Box {n}: {C}", "Figure {n}: Trends in {t}", "Annex {n}: Case study on {t}"],
  "guidance": ["Guidance: {C}", "Frequently asked questions about {t}", "A guide to {t}", "More about {t}"],
 },
}
ROMAN = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII"]
CHROME = {
 "fr": [("guidance", t) for t in [
  "Imprimer cette page", "Partager sur les réseaux sociaux", "Retour en haut de page", "Plan du site", "Mentions légales",
  "Accessibilité : partiellement conforme", "Afficher plus", "Masquer le détail", "Télécharger le formulaire (PDF, 240 Ko)",
  "Mis à jour le 3 mars", "Vous êtes ici : Accueil > Démarches > Séjour", "Cette page vous a-t-elle été utile ? Oui Non",
  "Prendre rendez-vous en ligne", "Contactez-nous", "Voir aussi", "Sommaire"]] + [("evaluation_report", t) for t in [
  "Liste des sigles et abréviations", "Table des matières", "Résumé exécutif", "Remerciements", "Méthodologie",
  "Tableau 4 : Répartition des personnes interrogées par région", "Source : enquête de terrain de l'équipe d'évaluation",
  "Note : les montants sont exprimés en euros constants.", "Critère d'évaluation : efficience", "Recommandation 7",
  "Page 23 sur 71", "Version finale – diffusion restreinte"]] + [("legislation", t) for t in [
  "Exposé des motifs", "Dispositions transitoires", "Dispositions finales", "Le Président de la République,",
  "Vu la Constitution ;", "Après avis du Conseil d'État,", "Décrète :", "Fait à Dakar, le 12 avril.",
  "Par le Premier ministre :", "Journal officiel – édition des lois et décrets", "Article premier", "(Abrogé)"]] + [("regulation", t) for t in [
  "Nom de naissance : ………", "Date et lieu de naissance", "Cochez la case correspondante", "Signature du demandeur",
  "Cadre réservé à l'administration", "Pièces à joindre :", "Numéro de dossier", "Adresse électronique"]],
 "en": [("guidance", t) for t in [
  "Print this page", "Share this page", "Back to top", "Cookies on this site", "Accept additional cookies",
  "Show all sections", "Hide this section", "Download the application form (PDF, 310 KB)", "Last updated 4 June",
  "Home > Visas and immigration > Apply", "Is this page useful? Yes No", "Report a problem with this page",
  "Contents", "Related content", "Sign in to your account", "Check your answers"]] + [("evaluation_report", t) for t in [
  "List of acronyms", "Table of contents", "Executive summary", "Acknowledgements", "Methodology", "Limitations of the evaluation",
  "Table 6: Respondents by country and sex", "Source: evaluation team survey", "Note: figures are rounded to the nearest hundred.",
  "Evaluation criterion: relevance", "Recommendation 4", "Page 17 of 64"]] + [("legislation", t) for t in [
  "Explanatory memorandum", "Transitional provisions", "Final provisions", "BE IT ENACTED by the Parliament as follows:",
  "Arrangement of sections", "Short title and commencement", "Repealed.", "Interpretation", "Made on 2 May.",
  "Laid before Parliament", "Coming into force", "Gazette notice"]] + [("regulation", t) for t in [
  "Surname (family name)", "Date and place of birth", "Tick the box that applies", "Signature of applicant",
  "For official use only", "Documents enclosed:", "Reference number", "Email address"]],
}
def cap(t):
    return t[:1].upper() + t[1:]


def after(frame, t, lang):
    """The topic as it follows the frame: French "relatif/relatives" takes à/au/aux."""
    if lang != "fr" or "relati" not in frame:
        return t
    if t.startswith("des "):
        return "aux " + t[4:]
    if t.startswith("du "):
        return "au " + t[3:]
    return "à " + t[3:]  # "de l'…", "de la …"

def topic_fr(t):
    """"du regroupement familial" -> "Regroupement familial" (a title)."""
    base = t.split(" ", 1)[1] if t.startswith(("des ", "du ")) else t[3:] if t.startswith("de ") else t
    base = base[2:] if base.startswith("l'") else base[3:] if base.startswith("la ") else base
    return cap(base)
rows = []
for lang in ("fr", "en"):
    topics = TOPICS[lang][:]
    items = []
    for genre, frames in FRAMES[lang].items():
        for frame in frames:
            for t in rng.sample(topics, 6):
                n, m = rng.randint(1, 9), rng.randint(1, 6)
                r = rng.choice(ROMAN)
                title = topic_fr(t) if lang == "fr" else cap(t)
                text = frame.format(T=title, U=title.upper(), t=after(frame, t, lang), C=cap(t),
                                    n=n, m=m, r=r)
                items.append((genre, text))
    rng.shuffle(items)
    items = items[:PER_LANGUAGE] + CHROME[lang]
    for genre, text in items:
        rows.append({"lang": lang, "text": text, "labels": [], "source": genre,
                     "note": "heading, title or page furniture: no label (taxonomy rule 6)"})
seen, out = set(), []
for r in rows:
    if r["text"] not in seen:
        seen.add(r["text"])
        out.append(r)
for i, r in enumerate(out):
    r["id"] = f"w5h-{r['lang']}-{i:04d}"
with open(OUT, "w", encoding="utf-8") as f:
    for r in out:
        keys = ("id", "lang", "text", "labels", "source", "note")
        f.write(json.dumps({k: r[k] for k in keys}, ensure_ascii=False) + "\n")
print(f"{len(out)} units written to {OUT}")

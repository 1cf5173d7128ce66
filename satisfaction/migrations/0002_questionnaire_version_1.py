"""La version 1 du questionnaire « Ma MDPH, mon avis » (15 questions en 4 étapes).

Les questions sont recopiées ici, et leur signature calculée ici, comme le fait
`satisfaction.versions.signature_de` à ce jour : une migration ne lit pas le code vivant
(il changera ; elle doit toujours écrire la même version 1). Un test vérifie l'accord.
"""

import hashlib
import json

from django.db import migrations

ECHELLE = "tres_satisfait,satisfait,insatisfait,tres_insatisfait|non_concerne"

# (clé, étape, type, libellé, aide, choix, obligatoire, croisée)
QUESTIONS = [
    ("pour_qui", 1, "choix_unique", "Pour qui avez-vous fait la demande ?", "", [
        ["moi", "Pour moi"],
        ["proche", "Pour un proche : mon enfant, mon parent, un ami"],
    ], True, True),
    ("motifs", 1, "choix_multiple", "Qu'avez-vous demandé à la MDPH ?",
     "Vous pouvez cocher plusieurs réponses.", [
        ["aah", "De l'argent pour un adulte handicapé (AAH)"],
        ["pch", "De l'aide pour payer une aide à la maison ou du matériel (PCH)"],
        ["cmi", "Une carte pour les transports ou le stationnement (CMI)"],
        ["travail", "De l'aide pour le travail (RQTH)"],
        ["scolarisation", "De l'aide pour l'école"],
        ["etablissement", "Une place dans un établissement ou un service"],
        ["aeeh", "De l'argent pour un enfant handicapé (AEEH)"],
        ["autre", "Autre chose"],
    ], True, True),
    ("etat", 1, "choix_unique", "Où en est votre demande ?", "", [
        ["en_cours", "Elle est en cours"],
        ["decision", "J'ai reçu la réponse de la MDPH"],
        ["ne_sais_pas", "Je ne sais pas"],
    ], True, True),
    ("globale", 2, "echelle", "En général, êtes-vous satisfait de la MDPH ?", "", [], True,
     False),
    ("acces", 2, "echelle", "Êtes-vous satisfait de l'accès à la MDPH ?",
     "Par exemple : trouver l'adresse, entrer dans le bâtiment, trouver le site internet.", [],
     True, False),
    ("contact", 2, "echelle", "Êtes-vous satisfait des contacts avec la MDPH ?",
     "Par téléphone, par courriel ou par courrier.", [], True, False),
    ("accueil", 2, "echelle", "Êtes-vous satisfait de l'accueil ?",
     "Par exemple : quand vous arrivez, au guichet, au téléphone.", [], True, False),
    ("ecoute", 2, "echelle", "Êtes-vous satisfait de l'écoute ?",
     "La MDPH a-t-elle pris le temps de vous écouter ?", [], True, False),
    ("comprehension_droits", 2, "echelle", "Êtes-vous satisfait des explications sur vos droits ?",
     "Avez-vous compris à quoi vous avez droit ?", [], True, False),
    ("besoins_souhaits", 2, "echelle",
     "Êtes-vous satisfait de la place donnée à vos besoins et à vos souhaits ?",
     "Avez-vous pu dire ce dont vous avez besoin ? Et ce que vous voulez ?", [], True, False),
    ("reponses_questions", 2, "echelle", "Êtes-vous satisfait des réponses à vos questions ?", "",
     [], True, False),
    ("qui_contacter", 2, "echelle", "Savez-vous qui appeler à la MDPH ? En êtes-vous satisfait ?",
     "", [], True, False),
    ("delai", 3, "echelle", "Êtes-vous satisfait du temps pour traiter votre demande ?",
     "C'est le temps entre votre demande et la réponse.", [], True, False),
    ("aides_besoins", 3, "echelle", "Êtes-vous satisfait des aides données pour vos besoins ?",
     "Vous n'avez pas encore la réponse ? Choisissez « Non concerné ».", [], True, False),
    ("commentaire", 4, "texte", "Voulez-vous nous dire autre chose ?",
     "Ne donnez pas votre nom. Ne donnez pas votre adresse ni votre téléphone.", [], False,
     False),
]  # fmt: skip


def signature_de(type_: str, libelle: str, choix: list) -> str:
    echelle = ECHELLE if type_ == "echelle" else ""
    contenu = json.dumps([type_, " ".join(libelle.split()), choix, echelle], ensure_ascii=False)
    return hashlib.sha256(contenu.encode()).hexdigest()[:16]


def creer_version_1(apps, schema_editor):
    Version = apps.get_model("satisfaction", "Version")
    Question = apps.get_model("satisfaction", "Question")
    if Version.objects.filter(numero=1).exists():
        return
    version = Version.objects.create(numero=1, titre="Ma MDPH, mon avis", en_service=True)
    for ordre, (cle, etape, type_, libelle, aide, choix, obligatoire, croisee) in enumerate(
        QUESTIONS, start=1
    ):
        Question.objects.create(
            version=version, cle=cle, etape=etape, ordre=ordre, type=type_, libelle=libelle,
            aide=aide, choix=choix, obligatoire=obligatoire, croisee=croisee,
            signature=signature_de(type_, libelle, choix),
        )  # fmt: skip


def retirer_version_1(apps, schema_editor):
    apps.get_model("satisfaction", "Version").objects.filter(numero=1, reponses=None).delete()


class Migration(migrations.Migration):
    dependencies = [("satisfaction", "0001_initial")]

    operations = [migrations.RunPython(creer_version_1, retirer_version_1)]

"""Les règles des versions du questionnaire, et sa lisibilité (FALC)."""

import re

import pytest

from repertoire.falc import MOTS_PAR_PHRASE_MAX, mesurer_lisibilite
from satisfaction import versions
from satisfaction.models import Comptage, Question, TypeQuestion, Version
from satisfaction.services import enregistrer_reponse
from territoires.models import Departement

pytestmark = pytest.mark.django_db

SIGLE_EXPLIQUE = re.compile(r"\([A-Z]{2,}\)$")  # « De l'argent pour un adulte handicapé (AAH) »


def repondre(version: Version, **valeurs) -> None:
    enregistrer_reponse(
        version=version, departement=Departement.objects.get(pk="58"), valeurs=valeurs
    )


def test_la_version_1_a_15_questions_en_4_etapes_et_une_seule_est_en_service(version):
    questions = list(version.questions.all())
    assert len(questions) == 15
    assert sorted({q.etape for q in questions}) == [1, 2, 3, 4]
    assert Version.objects.en_service() == version
    echelles = [q.cle for q in questions if q.type == TypeQuestion.ECHELLE]
    assert len(echelles) == 11 and "globale" in echelles and "delai" in echelles


def test_la_signature_ecrite_par_la_migration_est_celle_du_code(version):
    for question in version.questions.all():
        attendue = versions.signature_de(
            type=question.type, libelle=question.libelle, choix=question.choix
        )
        assert question.signature == attendue, question.cle


def test_une_version_sans_reponse_se_modifie_et_sa_signature_suit(version):
    accueil = version.questions.get(cle="accueil")
    avant = accueil.signature
    versions.modifier_question(accueil, aide="Au guichet.")
    assert accueil.signature == avant  # l'aide ne change pas ce qui est mesuré
    versions.modifier_question(accueil, libelle="Êtes-vous satisfait de l'accueil à la MDPH ?")
    assert accueil.signature != avant


def test_une_version_qui_a_recu_une_reponse_est_figee(version):
    repondre(version, globale="satisfait")
    accueil = version.questions.get(cle="accueil")
    with pytest.raises(versions.VersionFigee, match="Créez une nouvelle version"):
        versions.modifier_question(accueil, libelle="Autre chose ?")
    with pytest.raises(versions.VersionFigee):
        versions.retirer_question(accueil)
    with pytest.raises(versions.VersionFigee):
        versions.ajouter_question(
            version, cle="nouvelle", etape=2, ordre=99, type="echelle", libelle="Nouvelle ?"
        )
    accueil.refresh_from_db()
    assert accueil.libelle == "Êtes-vous satisfait de l'accueil ?"


def test_changer_une_question_fait_une_nouvelle_version_et_les_autres_restent_comparables(
    version,
):
    repondre(version, globale="satisfait", accueil="satisfait")
    v2 = versions.nouvelle_version(
        depuis=version,
        changements={"accueil": {"libelle": "Êtes-vous satisfait de l'accueil sur place ?"}},
        retirees=("qui_contacter",),
    )
    versions.mettre_en_service(v2)
    assert Version.objects.en_service() == v2
    assert v2.numero == 2 and not v2.est_figee()
    assert v2.questions.count() == 14
    anciennes = {q.cle: q for q in version.questions.all()}
    nouvelles = {q.cle: q for q in v2.questions.all()}
    assert versions.comparables(anciennes["globale"], nouvelles["globale"])
    assert not versions.comparables(anciennes["accueil"], nouvelles["accueil"])
    repondre(v2, globale="insatisfait", accueil="satisfait")
    # La question inchangée s'additionne d'une version à l'autre : une seule série.
    globale = Comptage.objects.filter(segment="tous", question="globale")
    assert globale.values("signature").distinct().count() == 1
    assert sum(globale.values_list("nombre", flat=True)) == 2
    # La question changée fait une nouvelle série, jamais mêlée à l'ancienne.
    accueil = Comptage.objects.filter(segment="tous", question="accueil")
    assert accueil.values("signature").distinct().count() == 2


def test_une_seule_version_est_en_service_a_la_fois(version):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Version.objects.create(numero=9, en_service=True)


def _textes(question: Question) -> str:
    return "\n".join(filter(None, [question.libelle, question.aide]))


def test_chaque_question_est_ecrite_en_facile_a_lire(version):
    """FALC : phrases de 15 mots au plus, texte « facile à lire » (Kandel et Moles ≥ 60),
    aucun sigle sauf MDPH (expliqué en tête du questionnaire et de chaque page 1)."""
    for question in version.questions.all():
        mesure = mesurer_lisibilite(_textes(question))
        assert mesure.score >= 60, (question.cle, mesure)
        assert mesure.mots_de_la_plus_longue <= MOTS_PAR_PHRASE_MAX, question.cle
        assert set(mesure.sigles) <= {"MDPH"}, question.cle
        for _code, libelle in question.choix:
            choix = mesurer_lisibilite(libelle)
            assert choix.mots_de_la_plus_longue <= MOTS_PAR_PHRASE_MAX, libelle
            # Un sigle n'est admis qu'expliqué : après les mots simples, entre parenthèses.
            assert not choix.sigles or SIGLE_EXPLIQUE.search(libelle) or choix.sigles == ["MDPH"], (
                libelle
            )


def test_l_administration_montre_les_versions_sans_permettre_de_les_modifier(client, version):
    from comptes.tests.factories import UtilisateurFactory
    from comptes.tests.outils import connecter_avec_double_facteur

    connecter_avec_double_facteur(client, UtilisateurFactory(is_superuser=True))
    page = client.get(f"/admin/satisfaction/version/{version.pk}/change/")
    assert page.status_code == 200
    assert "Êtes-vous satisfait de l&#x27;accueil ?" in page.content.decode()
    assert client.post(f"/admin/satisfaction/version/{version.pk}/change/", {}).status_code == 403
    assert client.get("/admin/satisfaction/resultatpublie/").status_code == 200

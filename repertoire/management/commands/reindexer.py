from django.core.management.base import BaseCommand
from tqdm import tqdm

from repertoire.models import Service
from repertoire.recherche.index import indexer_services


class Command(BaseCommand):
    help = "Reconstruit l'index de recherche (ou le met à jour pour quelques services)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("service_ids", nargs="*", type=int, help="par défaut : tous")

    def handle(self, *args, service_ids: list[int], **options) -> None:
        total = len(service_ids) or Service.objects.count()
        with tqdm(total=total, unit="service", disable=options["verbosity"] == 0) as barre:
            indexees = indexer_services(service_ids or None, progression=barre.update)
        self.stdout.write(f"{indexees} services publiés indexés sur {total} examinés.")

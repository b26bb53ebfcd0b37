"""One importer per kind of record; :data:`IMPORTERS` maps the kind to its class."""
from dangjian.exchange.choices import ImportKind
from dangjian.exchange.importers.applicants import ApplicantImporter
from dangjian.exchange.importers.dues import DuesBaseImporter
from dangjian.exchange.importers.members import MemberImporter
from dangjian.exchange.importers.orgs import OrgImporter

__all__ = ["IMPORTERS", "ApplicantImporter", "DuesBaseImporter", "MemberImporter", "OrgImporter"]

IMPORTERS = {
    ImportKind.MEMBERS: MemberImporter,
    ImportKind.ORGS: OrgImporter,
    ImportKind.APPLICANTS: ApplicantImporter,
    ImportKind.DUES_BASES: DuesBaseImporter,
}

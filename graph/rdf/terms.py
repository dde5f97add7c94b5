"""The ontology's terms as a closed rdflib namespace: a misspelt term raises at import use.

Generated from ``ontology/welfare.ttl``; ``tests/test_ontology.py`` checks that both list the
same terms, so the Turtle stays the one source of truth.
"""

from __future__ import annotations

from rdflib.namespace import DefinedNamespace, Namespace
from rdflib.term import URIRef

__all__ = ["IC", "ONTOLOGY_IRI", "SCHEMA", "VANN", "VOID", "WK", "WK_NAMESPACE"]

WK_NAMESPACE = "https://w3id.org/welfare-kg/ontology#"
ONTOLOGY_IRI = URIRef("https://w3id.org/welfare-kg/ontology")

# Vocabularies rdflib does not bundle.
IC = Namespace("http://imi.go.jp/ns/core/rdf#")  # IMI core vocabulary (共通語彙基盤)
SCHEMA = Namespace("http://schema.org/")
VOID = Namespace("http://rdfs.org/ns/void#")
VANN = Namespace("http://purl.org/vocab/vann/")


class WK(DefinedNamespace):
    """welfare-kg ontology (https://w3id.org/welfare-kg/ontology#)."""

    _NS = Namespace(WK_NAMESPACE)
    _fail = True

    # Classes
    ActionPlan: URIRef  # Action plan
    Body: URIRef  # Implementing body
    ChildcareSupportHub: URIRef  # Childcare support hub
    CommunityCarePlaza: URIRef  # Community care plaza
    DementiaSupportTeam: URIRef  # Dementia support team
    FireService: URIRef  # Fire and emergency service
    Initiative: URIRef  # Initiative
    MedicalConsultationOffice: URIRef  # Medical consultation office
    Participation: URIRef  # Participation
    Partner: URIRef  # Partner named in a result
    PartnerOrganization: URIRef  # Partner organization
    Pillar: URIRef  # Pillar
    Plan: URIRef  # Plan
    PlanRow: URIRef  # Plan row
    PoliceStation: URIRef  # Police station
    Quantity: URIRef  # Quantity
    Report: URIRef  # Progress report
    Role: URIRef  # Role
    SocialWelfareCouncil: URIRef  # Social welfare council
    SourceSpan: URIRef  # Source line span
    Status: URIRef  # Status
    SupportCentre: URIRef  # Support centre
    WardOfficeDivision: URIRef  # Ward-office division

    # Concept schemes and controlled values
    BodyTypeScheme: URIRef  # Body types
    Cancelled: URIRef  # Cancelled
    Implemented: URIRef  # Implemented
    ImplementingBodyRole: URIRef  # Implementing body
    NamedPartnerRole: URIRef  # Partner named in the result
    Ongoing: URIRef  # Ongoing
    Partial: URIRef  # Partly implemented
    Postponed: URIRef  # Postponed
    RoleScheme: URIRef  # Roles
    StatusScheme: URIRef  # Statuses

    # Object properties
    actionPlan: URIRef  # action plan
    bodyType: URIRef  # body type
    implementedBy: URIRef  # implemented by
    initiative: URIRef  # initiative
    namesPartner: URIRef  # names partner
    participant: URIRef  # participant
    participation: URIRef  # participation
    pillar: URIRef  # pillar
    quantity: URIRef  # quantity
    report: URIRef  # report
    role: URIRef  # role
    sourceSpan: URIRef  # source span
    status: URIRef  # status

    # Datatype properties
    bodyCount: URIRef  # number of implementing bodies
    bodySource: URIRef  # body source
    confidence: URIRef  # initiative confidence
    correction: URIRef  # correction applied
    counted: URIRef  # counted
    endLine: URIRef  # end line
    fiscalYear: URIRef  # fiscal year
    kind: URIRef  # kind
    line: URIRef  # line
    number: URIRef  # number
    page: URIRef  # page
    planItem: URIRef  # plan item
    planText: URIRef  # plan text
    resultText: URIRef  # result text
    sha256: URIRef  # SHA-256
    sourceText: URIRef  # source text
    startLine: URIRef  # start line

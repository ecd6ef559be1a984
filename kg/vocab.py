"""The local vocabulary as a closed rdflib namespace: a misspelt term raises.

``VLMS`` lists every term the ontology (``ontology/*.ttl``) declares under
``https://w3id.org/vlmskg/vocab/``; ``tests/test_ontology.py`` keeps the two in step.
Use it instead of an open ``Namespace`` wherever code names a local term.

>>> VLMS.InferiorVenaCavaLeiomyosarcoma
rdflib.term.URIRef('https://w3id.org/vlmskg/vocab/InferiorVenaCavaLeiomyosarcoma')
>>> VLMS["arisesFrom"]
rdflib.term.URIRef('https://w3id.org/vlmskg/vocab/arisesFrom')
>>> VLMS.arisesFrmo
Traceback (most recent call last):
    ...
AttributeError: term 'arisesFrmo' not in namespace 'https://w3id.org/vlmskg/vocab/'
>>> VLMS.Hour in VLMS
True
"""

from __future__ import annotations

from rdflib import URIRef
from rdflib.namespace import DefinedNamespace, Namespace

__all__ = ["VLMS"]


class VLMS(DefinedNamespace):
    """Every class, property, value set and value-set member of the vlms-kg ontology."""

    _NS = Namespace("https://w3id.org/vlmskg/vocab/")
    _fail = True

    # Case, publication and literature statements (ontology/provenance.ttl)
    Case: URIRef
    SyntheticCase: URIRef
    reportedIn: URIRef
    caseNumberInSource: URIRef
    completeness: URIRef
    hasPatient: URIRef
    hasTumour: URIRef
    hasEvent: URIRef
    hasFinding: URIRef
    referenceEvent: URIRef
    indexSurgery: URIRef
    lastFollowUp: URIRef
    sourceDocument: URIRef
    sourceLocation: URIRef
    curationNote: URIRef
    description: URIRef
    LiteratureStatement: URIRef
    RateStatement: URIRef
    CaseCountStatement: URIRef
    FrequencyRankingStatement: URIRef
    RankedSite: URIRef
    MalignancyCriterionStatement: URIRef
    MetastasisSiteStatement: URIRef
    ClassificationStatement: URIRef
    TreatmentStatement: URIRef
    ContraindicationStatement: URIRef
    PrognosisStatement: URIRef
    DiagnosisStatement: URIRef
    HistoryStatement: URIRef
    OccurrenceStatement: URIRef
    PresentationStatement: URIRef
    PathologyStatement: URIRef
    statementText: URIRef
    statedIn: URIRef
    citesReference: URIRef
    rateOf: URIRef
    ratePercent: URIRef
    ratePercentMin: URIRef
    ratePercentMax: URIRef
    timeHorizonYears: URIRef
    caseCount: URIRef
    aboutSite: URIRef
    rankedSite: URIRef
    rank: URIRef
    mitoticCountThreshold: URIRef
    frequencyQualifier: URIRef
    firstReportedYear: URIRef
    # Citations and pooled figures (ontology/provenance.ttl, issue 13)
    publicationYear: URIRef
    authorPosition: URIRef
    publicationType: URIRef
    sourceCoverage: URIRef
    PublicationTypeValues: URIRef
    CaseSeriesReport: URIRef
    RegistryReport: URIRef
    ConferenceAbstract: URIRef
    SourceCoverageValues: URIRef
    SourceCoverageValue: URIRef
    FullTextRead: URIRef
    AbstractRead: URIRef
    FirstPageRead: URIRef
    TitleOnlyRead: URIRef
    PooledFigure: URIRef
    hasPooledFigure: URIRef
    endpoint: URIRef
    populationSite: URIRef
    populationTreatment: URIRef
    sampleSize: URIRef
    medianMonths: URIRef
    EndpointValues: URIRef
    DiseaseSpecificSurvival: URIRef
    DiseaseFreeSurvival: URIRef
    RecurrenceFreeSurvival: URIRef

    # Anatomy (ontology/anatomy.ttl)
    IVCSegment: URIRef
    IVCUpperSegment: URIRef
    IVCMiddleSegment: URIRef
    IVCLowerSegment: URIRef
    RenalVeinConfluence: URIRef
    CommonFemoralVein: URIRef
    RetroperitonealAdiposeTissue: URIRef
    PerivascularSoftTissue: URIRef
    HepaticHilum: URIRef
    LiverSegmentV: URIRef
    LiverSegmentVI: URIRef
    MesentericPortalTributary: URIRef
    laterality: URIRef

    # Tumour (ontology/tumour.ttl)
    involves: URIRef
    arisesFrom: URIRef
    extendsInto: URIRef
    growthPattern: URIRef
    grade: URIRef
    hasPortion: URIRef
    TumourPortion: URIRef
    hasSizeMeasurement: URIRef
    SizeMeasurement: URIRef
    firstDimensionCm: URIRef
    secondDimensionCm: URIRef
    thirdDimensionCm: URIRef
    measuredIn: URIRef
    aggregateOfFragments: URIRef
    specimen: URIRef
    Specimen: URIRef
    obtainedBy: URIRef
    hasMitoticCount: URIRef
    MitoticCount: URIRef
    mitosesPer10HPF: URIRef
    comparator: URIRef
    hasImmunohistochemistryResult: URIRef
    ImmunohistochemistryResult: URIRef
    marker: URIRef
    markerResult: URIRef
    encodedByGene: URIRef
    VascularLeiomyosarcoma: URIRef
    VenousLeiomyosarcoma: URIRef
    ArterialLeiomyosarcoma: URIRef
    InferiorVenaCavaLeiomyosarcoma: URIRef
    FemoralVeinLeiomyosarcoma: URIRef
    SaphenousVeinLeiomyosarcoma: URIRef
    RenalVeinLeiomyosarcoma: URIRef
    PulmonaryArteryLeiomyosarcoma: URIRef
    FemoralArteryLeiomyosarcoma: URIRef
    AorticLeiomyosarcoma: URIRef
    UpperSegmentIVCLeiomyosarcoma: URIRef
    MiddleSegmentIVCLeiomyosarcoma: URIRef
    LowerSegmentIVCLeiomyosarcoma: URIRef
    IntraluminalLeiomyosarcoma: URIRef
    ExtraluminalLeiomyosarcoma: URIRef

    # Patient, findings and diagnoses (ontology/presentation.ttl)
    Finding: URIRef
    ageYears: URIRef
    sex: URIRef
    PresentingSymptom: URIRef
    ExaminationFinding: URIRef
    LaboratoryFinding: URIRef
    ImagingFinding: URIRef
    IntraoperativeFinding: URIRef
    GrossPathologyFinding: URIRef
    HistologicFinding: URIRef
    NegativeFinding: URIRef
    presence: URIRef
    concept: URIRef
    observedIn: URIRef
    site: URIRef
    onset: URIRef
    suggestsDiagnosis: URIRef
    SymptomOnset: URIRef
    SymptomResolution: URIRef
    SymptomRecurrence: URIRef
    PrecipitatingEvent: URIRef
    LongHaulFlight: URIRef
    durationHours: URIRef
    travelOrigin: URIRef
    travelDestination: URIRef
    DiagnosisEvent: URIRef
    diagnosedAs: URIRef
    diagnosisStatus: URIRef
    basedOn: URIRef

    # Outcome and follow-up (ontology/outcome.ttl)
    Complication: URIRef
    followsProcedure: URIRef
    management: URIRef
    Metastasis: URIRef
    Recurrence: URIRef
    TreatmentFinding: URIRef
    FollowUpAssessment: URIRef
    LastFollowUp: URIRef
    vitalStatus: URIRef
    diseaseStatus: URIRef
    CancerFreeSurvival: URIRef

    # Events and relative time (ontology/time.ttl)
    ClinicalEvent: URIRef
    timelinePosition: URIRef
    durationMinutes: URIRef
    HospitalAdmission: URIRef
    HospitalDischarge: URIRef
    Referral: URIRef
    hasTiming: URIRef
    RelativeTiming: URIRef
    relativeTo: URIRef
    temporalRelation: URIRef
    amount: URIRef
    timeUnit: URIRef
    precision: URIRef

    # Procedures (ontology/procedure.ttl)
    Procedure: URIRef
    ImagingProcedure: URIRef
    PathologyProcedure: URIRef
    BiopsyProcedure: URIRef
    SurgicalProcedure: URIRef
    SystemicTherapy: URIRef
    RadiationTherapy: URIRef
    AnticoagulantTherapy: URIRef
    ThrombolyticTherapy: URIRef
    PhysicalExamination: URIRef
    LaboratoryTest: URIRef
    PerfusionTechnique: URIRef
    VesselManagement: URIRef
    Thrombolysis: URIRef
    SpinalSurgery: URIRef
    TransesophagealEchocardiography: URIRef
    CardiopulmonaryBypass: URIRef
    Cannulation: URIRef
    InSituLiverPerfusion: URIRef
    HepaticVascularExclusion: URIRef
    VascularClamping: URIRef
    VeinLigation: URIRef
    GraftReplacement: URIRef
    PatchRepair: URIRef
    Anastomosis: URIRef
    Venotomy: URIRef
    SerumTumourMarkerTest: URIRef
    GrossExamination: URIRef
    intent: URIRef
    procedureResult: URIRef
    targetSite: URIRef
    indication: URIRef
    agent: URIRef
    route: URIRef
    contrastEnhanced: URIRef
    marginStatus: URIRef
    enBloc: URIRef
    resectedStructure: URIRef
    resectedLengthCm: URIRef
    graftMaterial: URIRef
    anastomosisBetween: URIRef
    decisionTiming: URIRef
    decisionReason: URIRef
    bloodLossMl: URIRef
    operativeTimeMinutes: URIRef
    perfusate: URIRef
    perfusateTemperatureCelsius: URIRef

    # Value sets and their members (ontology/valuesets.ttl)
    SexValues: URIRef
    VitalStatusValues: URIRef
    DrugValues: URIRef
    LateralityValues: URIRef
    LateralityValue: URIRef
    Left: URIRef
    Right: URIRef
    PresenceValues: URIRef
    PresenceValue: URIRef
    Present: URIRef
    Absent: URIRef
    Indeterminate: URIRef
    MarkerValues: URIRef
    AlphaSmoothMuscleActin: URIRef
    CD68Antigen: URIRef
    MarkerResultValues: URIRef
    MarkerResultValue: URIRef
    Positive: URIRef
    Negative: URIRef
    Equivocal: URIRef
    MarginStatusValues: URIRef
    MarginStatusValue: URIRef
    R0: URIRef
    R1: URIRef
    R2: URIRef
    IntentValues: URIRef
    IntentValue: URIRef
    DiagnosticIntent: URIRef
    CurativeIntent: URIRef
    AdjuvantIntent: URIRef
    NeoadjuvantIntent: URIRef
    ForMetastasisIntent: URIRef
    PalliativeIntent: URIRef
    GradeValues: URIRef
    GradeValue: URIRef
    IntermediateGrade: URIRef
    LowGrade: URIRef
    GrowthPatternValues: URIRef
    GrowthPatternValue: URIRef
    IntraluminalGrowth: URIRef
    ExtraluminalGrowth: URIRef
    ComparatorValues: URIRef
    ComparatorValue: URIRef
    GreaterThan: URIRef
    LessThan: URIRef
    EqualTo: URIRef
    TemporalRelationValues: URIRef
    TemporalRelationValue: URIRef
    Before: URIRef
    After: URIRef
    SameTime: URIRef
    PrecisionValues: URIRef
    PrecisionValue: URIRef
    Exact: URIRef
    Approximate: URIRef
    AtLeast: URIRef
    AtMost: URIRef
    TimeUnitValues: URIRef
    TimeUnitValue: URIRef
    Hour: URIRef
    DiseaseStatusValues: URIRef
    DiseaseStatusValue: URIRef
    NoEvidenceOfDisease: URIRef
    StableDisease: URIRef
    ProgressiveDisease: URIRef
    DiagnosisStatusValues: URIRef
    DiagnosisStatusValue: URIRef
    InitialMisdiagnosis: URIRef
    PresumptiveDiagnosis: URIRef
    FinalDiagnosis: URIRef
    ProcedureResultValues: URIRef
    ProcedureResultValue: URIRef
    Successful: URIRef
    Unsuccessful: URIRef
    RouteValues: URIRef
    RouteValue: URIRef
    Intravenous: URIRef
    Oral: URIRef
    GraftMaterialValues: URIRef
    GraftMaterialValue: URIRef
    AorticAllograft: URIRef
    VenousAllograft: URIRef
    ArterialAllograft: URIRef
    PTFEGraft: URIRef
    DecisionTimingValues: URIRef
    DecisionTimingValue: URIRef
    PreoperativeDecision: URIRef
    IntraoperativeDecision: URIRef
    ManagementValues: URIRef
    ManagementValue: URIRef
    ConservativeManagement: URIRef
    SurgicalManagement: URIRef
    FrequencyQualifierValues: URIRef
    FrequencyQualifierValue: URIRef
    Usual: URIRef
    Rare: URIRef
    FindingConcepts: URIRef
    SpindleCells: URIRef
    FascicularPattern: URIRef
    InterlacingPattern: URIRef
    WhorledPattern: URIRef
    AnaplasticGiantCells: URIRef
    NuclearPleomorphism: URIRef
    NuclearHyperchromasia: URIRef
    ElongatedNuclei: URIRef
    EnlargedNuclei: URIRef
    Multinucleation: URIRef
    EosinophilicCytoplasm: URIRef
    WidespreadMitoticActivity: URIRef
    CutSurfaceAppearance: URIRef
    Pseudocapsule: URIRef
    PolypoidLobulatedMass: URIRef
    PolylobulatedMass: URIRef
    VesselObstruction: URIRef
    VesselWallInfiltration: URIRef
    TumourMass: URIRef
    CollateralVenousCirculation: URIRef
    ElevatedSerumTumourMarkers: URIRef
    PhysicalExaminationAbnormality: URIRef
    LocalRecurrence: URIRef
    SubhepaticHematoma: URIRef
    GraftInfection: URIRef
    GraftOcclusion: URIRef
    MajorPostoperativeComplication: URIRef
    VascularComplication: URIRef
    TumourInfiltration: URIRef

    # Annotation properties (ontology/vlms.ttl)
    monthsPerUnit: URIRef
    daysPerUnit: URIRef

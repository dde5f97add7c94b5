// OWL 2 DL profile check with the OWL API that owlready2 ships inside HermiT.jar.
// Run in source-file mode (the JRE compiles it in memory), see test_reasoner.py:
//     java -cp HermiT.jar OwlProfileCheck.java ontology-and-data.ttl
// Prints one "VIOLATION<TAB>kind<TAB>text" line per profile violation, then the axiom count
// and whether the document is in the OWL 2 DL profile.
import java.io.File;
import org.semanticweb.owlapi.apibinding.OWLManager;
import org.semanticweb.owlapi.model.OWLOntology;
import org.semanticweb.owlapi.model.OWLOntologyManager;
import org.semanticweb.owlapi.profiles.OWL2DLProfile;
import org.semanticweb.owlapi.profiles.OWLProfileReport;
import org.semanticweb.owlapi.profiles.OWLProfileViolation;

public class OwlProfileCheck {
    public static void main(String[] args) throws Exception {
        OWLOntologyManager manager = OWLManager.createOWLOntologyManager();
        OWLOntology ontology = manager.loadOntologyFromOntologyDocument(new File(args[0]));
        OWLProfileReport report = new OWL2DLProfile().checkOntology(ontology);
        for (OWLProfileViolation v : report.getViolations()) {
            System.out.println("VIOLATION\t" + v.getClass().getSimpleName() + "\t" + v);
        }
        System.out.println("AXIOMS\t" + ontology.getAxiomCount());
        System.out.println("IN_PROFILE\t" + report.isInProfile());
    }
}

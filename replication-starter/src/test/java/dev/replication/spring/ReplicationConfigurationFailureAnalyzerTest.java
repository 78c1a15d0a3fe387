package dev.replication.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Configuration;

/** A configuration mistake reaches the operator as one description and one action. */
@ExtendWith(OutputCaptureExtension.class)
class ReplicationConfigurationFailureAnalyzerTest {

    @TempDir
    Path dataDir;

    @Test
    void aBadPeerListIsDescribedWithTheEntryToFixAndHowToWriteIt() {
        Throwable failure = catchThrowable(() -> ClusterMembers.parse("n1=http://a:1,n2"));

        FailureAnalysis analysis = new ReplicationConfigurationFailureAnalyzer()
                .analyze(new IllegalStateException("context failed", failure));

        assertThat(analysis.getDescription())
                .contains("replication.peers entry 'n2'")
                .contains("id=url");
        assertThat(analysis.getAction()).contains("n1=http://node1:8080");
    }

    @Test
    void otherFailuresAreLeftToOtherAnalyzers() {
        assertThat(new ReplicationConfigurationFailureAnalyzer()
                        .analyze(new IllegalStateException("not a configuration mistake")))
                .isNull();
    }

    @Configuration(proxyBeanMethods = false)
    @ImportAutoConfiguration(ReplicationAutoConfiguration.class)
    static class Node {}

    @Test
    void anApplicationWithABadPeerListPrintsOneFailedToStartReport(CapturedOutput output) {
        SpringApplication application = new SpringApplication(Node.class);
        application.setWebApplicationType(WebApplicationType.NONE);

        assertThatThrownBy(() -> application.run(
                        "--replication.node-id=n1",
                        "--replication.peers=n1=http://a:1,n1=http://b:1",
                        "--replication.data-dir=" + dataDir,
                        "--spring.main.banner-mode=off"))
                .hasRootCauseInstanceOf(ReplicationConfigurationException.class);

        assertThat(output).containsOnlyOnce("APPLICATION FAILED TO START");
        String report = output.getOut().substring(output.getOut().indexOf("APPLICATION FAILED TO START"));
        assertThat(report)
                .contains("Description:")
                .contains("replication.peers lists node id 'n1' twice")
                .contains("Action:")
                .contains("List every node id once in replication.peers");
    }

    @Test
    void anApplicationWithHttpsPeerUrlsRefusesToStartSayingThereIsNoTlsYet(CapturedOutput output) {
        SpringApplication application = new SpringApplication(Node.class);
        application.setWebApplicationType(WebApplicationType.NONE);

        assertThatThrownBy(() -> application.run(
                        "--replication.node-id=n1",
                        "--replication.peers=n1=https://a:8443,n2=https://b:8443",
                        "--replication.data-dir=" + dataDir,
                        "--replication.peer.cluster-secret=a-test-secret-of-enough-length",
                        "--spring.main.banner-mode=off"))
                .hasRootCauseInstanceOf(ReplicationConfigurationException.class);

        String report = output.getOut().substring(output.getOut().indexOf("APPLICATION FAILED TO START"));
        assertThat(report)
                .contains("Description:")
                .contains("'https://a:8443'")
                .contains("cleartext")
                .contains("Action:")
                .contains("http://a:8443");
    }
}

package io.faultline.agent;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.delete;
import static com.github.tomakehurst.wiremock.client.WireMock.deleteRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.faultline.agent.aws.AwsFaults;
import io.faultline.schema.AttackCommand;
import io.faultline.schema.CommandType;
import io.faultline.schema.Group;
import io.faultline.schema.TargetSelector;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

/**
 * The AWS faults against WireMock serving the EC2 query API (XML) and the FIS REST API (JSON):
 * which instances are stopped and started, which template is started and which experiment stopped.
 */
@Tag("side-by-side")
class AwsFaultsIT {

  private static final Pattern INSTANCE_ID = Pattern.compile("InstanceId\\.\\d+=([^&]+)");

  private WireMockServer server;
  private AwsFaults aws;
  private FaultCatalog catalog;

  @BeforeEach
  void start() {
    server =
        new WireMockServer(WireMockConfiguration.options().dynamicPort().bindAddress("127.0.0.1"));
    server.start();
    aws =
        AwsFaults.create(
            "eu-west-1",
            URI.create(server.baseUrl()),
            StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDTEST", "secret")));
    catalog = new FaultCatalog();
    aws.register(catalog);
    server.stubFor(
        post(urlEqualTo("/"))
            .withRequestBody(containing("Action=DescribeInstances"))
            .willReturn(xml(describeInstances())));
    server.stubFor(
        post(urlEqualTo("/"))
            .withRequestBody(containing("Action=StopInstances"))
            .willReturn(xml(stateChange("StopInstancesResponse", "stopping"))));
    server.stubFor(
        post(urlEqualTo("/"))
            .withRequestBody(containing("Action=StartInstances"))
            .willReturn(xml(stateChange("StartInstancesResponse", "pending"))));
  }

  @AfterEach
  void stop() {
    aws.close();
    server.stop();
  }

  private static com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder xml(String body) {
    return aResponse().withStatus(200).withHeader("Content-Type", "text/xml").withBody(body);
  }

  private static String instance(String id, String zone, String group) {
    return "<item><instanceId>"
        + id
        + "</instanceId><placement><availabilityZone>"
        + zone
        + "</availabilityZone></placement><instanceState><code>16</code><name>running</name>"
        + "</instanceState><tagSet><item><key>faultline.io/group</key><value>"
        + group
        + "</value></item><item><key>eks:nodegroup-name</key><value>scale</value></item>"
        + "</tagSet></item>";
  }

  /** Four EXPERIMENTAL instances (two in eu-west-1a) and a CONTROL one in eu-west-1a. */
  private static String describeInstances() {
    return "<DescribeInstancesResponse xmlns=\"http://ec2.amazonaws.com/doc/2016-11-15/\">"
        + "<requestId>r-1</requestId><reservationSet><item><reservationId>r-1</reservationId>"
        + "<instancesSet>"
        + instance("i-exp-a1", "eu-west-1a", "experimental")
        + instance("i-exp-a2", "eu-west-1a", "experimental")
        + instance("i-ctl-a1", "eu-west-1a", "control")
        + instance("i-exp-b1", "eu-west-1b", "experimental")
        + instance("i-exp-c1", "eu-west-1c", "experimental")
        + "</instancesSet></item></reservationSet></DescribeInstancesResponse>";
  }

  private static String stateChange(String response, String state) {
    return "<"
        + response
        + " xmlns=\"http://ec2.amazonaws.com/doc/2016-11-15/\"><requestId>r-2</requestId>"
        + "<instancesSet><item><instanceId>i-any</instanceId><currentState><code>0</code><name>"
        + state
        + "</name></currentState><previousState><code>16</code><name>running</name>"
        + "</previousState></item></instancesSet></"
        + response
        + ">";
  }

  private static AttackCommand command(
      String fault, TargetSelector selector, Map<String, String> p) {
    return AttackCommand.newBuilder()
        .setCommandId("c")
        .setExperimentId("e")
        .setType(CommandType.START)
        .setFault(fault)
        .setDurationMs(60_000L)
        .setTarget(selector)
        .setParameters(p)
        .build();
  }

  private static TargetSelector selector(String kind, String mode, String... names) {
    return TargetSelector.newBuilder()
        .setKind(kind)
        .setGroup(Group.EXPERIMENTAL)
        .setMode(mode)
        .setNames(List.of(names))
        .setLabels(kind.equals("ec2") ? Map.of("eks:nodegroup-name", "scale") : Map.of())
        .build();
  }

  private AttackPlan plan(AttackCommand command) {
    return AttackPlan.of(command, catalog, Duration.ofMinutes(15), 50, new Random(5));
  }

  private Set<String> instanceIds(String action) {
    Set<String> ids = new TreeSet<>();
    for (LoggedRequest r :
        server.findAll(postRequestedFor(urlEqualTo("/")).withRequestBody(containing(action)))) {
      Matcher m = INSTANCE_ID.matcher(r.getBodyAsString());
      while (m.find()) {
        ids.add(URLDecoder.decode(m.group(1), StandardCharsets.UTF_8));
      }
    }
    return ids;
  }

  @Test
  void ec2ZoneOutageStopsTheExperimentalInstancesOfThatZoneAndStartsExactlyThose()
      throws Exception {
    Map<String, String> zone = Map.of("zone", "eu-west-1a");
    AttackPlan plan = plan(command("ec2-zone-outage", selector("ec2", "all"), zone));
    assertThat(plan.targets())
        .extracting(Target::name)
        .containsExactlyInAnyOrder("i-exp-a1", "i-exp-a2");
    String describe =
        server
            .findAll(
                postRequestedFor(urlEqualTo("/")).withRequestBody(containing("DescribeInstances")))
            .get(0)
            .getBodyAsString();
    assertThat(URLDecoder.decode(describe, StandardCharsets.UTF_8))
        .contains("Filter.1.Name=instance-state-name", "Filter.1.Value.1=running")
        .contains("Filter.2.Name=tag-key", "Filter.2.Value.1=faultline.io/group")
        .contains("Filter.3.Name=tag:eks:nodegroup-name", "Filter.3.Value.1=scale");

    List<String> touched = new ArrayList<>();
    List<Map<String, String>> recoveries = new ArrayList<>();
    for (Target t : plan.targets()) {
      Fault.Applied applied = plan.executor().apply(t, zone, Duration.ofMinutes(1));
      touched.addAll(applied.touched());
      recoveries.add(applied.recovery());
    }
    assertThat(instanceIds("Action=StopInstances")).containsExactly("i-exp-a1", "i-exp-a2");
    assertThat(instanceIds("Action=StartInstances")).isEmpty();
    assertThat(touched)
        .containsExactlyInAnyOrder(
            "ec2 i-exp-a1 (eu-west-1a) stopping", "ec2 i-exp-a2 (eu-west-1a) stopping");

    for (int i = 0; i < plan.targets().size(); i++) {
      // as another agent would: the target rebuilt from attack.state
      Target t = plan.targets().get(i);
      Target rebuilt = plan.executor().fromState(t.name(), t.stateEntries());
      assertThat(plan.executor().recover(rebuilt, recoveries.get(i)))
          .isEqualTo("ec2 " + t.name() + " started (pending)");
    }
    assertThat(instanceIds("Action=StartInstances")).containsExactly("i-exp-a1", "i-exp-a2");
    assertThat(instanceIds("Action=StopInstances")).doesNotContain("i-ctl-a1");
    assertThat(server.findAll(postRequestedFor(urlEqualTo("/"))).get(0).getHeader("Authorization"))
        .startsWith("AWS4-HMAC-SHA256 Credential=AKIDTEST/")
        .contains("/eu-west-1/ec2/aws4_request");
  }

  @Test
  void ec2SelectionRejectsControlInstancesTheShareLimitAndABadZone() {
    assertThatThrownBy(
            () ->
                plan(
                    command(
                        "ec2-zone-outage",
                        selector("ec2", "one", "i-ctl-a1"),
                        Map.of("zone", "eu-west-1a"))))
        .hasMessage(
            "target.names: 'i-ctl-a1' is in the CONTROL group; only EXPERIMENTAL targets are"
                + " attacked");
    assertThatThrownBy(
            () ->
                AttackPlan.of(
                    command(
                        "ec2-zone-outage", selector("ec2", "all"), Map.of("zone", "eu-west-1a")),
                    catalog,
                    Duration.ofMinutes(15),
                    25,
                    new Random(1)))
        .hasMessage(
            "target.mode: blast radius: 2 of 4 EXPERIMENTAL ec2 targets (50%) is over"
                + " agent.max.blast.radius.percent=25 (at most 1 of 4)");
    assertThatThrownBy(
            () -> plan(command("ec2-zone-outage", selector("ec2", "all"), Map.of("zone", "west"))))
        .hasMessage("parameters.zone: 'west': must be an availability zone such as eu-west-1a");
    assertThat(instanceIds("Action=StopInstances")).isEmpty();
  }

  @Test
  void fisExperimentStartsTheExperimentalTemplateAndStopsTheExperimentOnRecover() throws Exception {
    server.stubFor(
        get(urlEqualTo("/experimentTemplates"))
            .willReturn(
                aResponse()
                    .withHeader("Content-Type", "application/json")
                    .withBody(
                        "{\"experimentTemplates\":["
                            + "{\"id\":\"EXTexp\",\"description\":\"az power\","
                            + "\"tags\":{\"faultline.io/group\":\"experimental\"}},"
                            + "{\"id\":\"EXTctl\",\"tags\":{\"faultline.io/group\":\"control\"}}]}")));
    server.stubFor(
        post(urlEqualTo("/experiments"))
            .willReturn(
                aResponse()
                    .withHeader("Content-Type", "application/json")
                    .withBody(
                        "{\"experiment\":{\"id\":\"EXP42\",\"state\":{\"status\":\"initiating\"}}}")));
    server.stubFor(
        delete(urlEqualTo("/experiments/EXP42"))
            .willReturn(
                aResponse()
                    .withHeader("Content-Type", "application/json")
                    .withBody(
                        "{\"experiment\":{\"id\":\"EXP42\",\"state\":{\"status\":\"stopping\"}}}")));

    assertThatThrownBy(
            () ->
                plan(
                    command("fis-experiment", selector("fis-template", "one", "EXTctl"), Map.of())))
        .hasMessageStartingWith("target.names: 'EXTctl' is in the CONTROL group");
    AttackPlan plan = plan(command("fis-experiment", selector("fis-template", "one"), Map.of()));
    Target template = plan.targets().get(0);
    assertThat(template.name()).isEqualTo("EXTexp");

    Fault.Applied applied = plan.executor().apply(template, Map.of(), Duration.ofMinutes(1));
    assertThat(applied.touched())
        .containsExactly("fis experiment EXP42 started from template EXTexp");
    LoggedRequest start = server.findAll(postRequestedFor(urlEqualTo("/experiments"))).get(0);
    assertThat(start.getBodyAsString())
        .contains("\"experimentTemplateId\":\"EXTexp\"")
        .contains("\"clientToken\":");
    assertThat(start.getHeader("Authorization"))
        .startsWith("AWS4-HMAC-SHA256 Credential=AKIDTEST/")
        .contains("/eu-west-1/fis/aws4_request");

    assertThat(plan.executor().recover(template, applied.recovery()))
        .isEqualTo("fis experiment EXP42 stopped (stopping)");
    assertThat(server.findAll(deleteRequestedFor(urlEqualTo("/experiments/EXP42")))).hasSize(1);
  }
}

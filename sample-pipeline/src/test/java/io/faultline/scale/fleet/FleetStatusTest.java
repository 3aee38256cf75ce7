package io.faultline.scale.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class FleetStatusTest {

  // Patroni 3.0's /cluster during a failover's aftermath: a leader, a replica with tags and lag
  private static final String CLUSTER =
      "{\"members\": [{\"name\": \"db-2\", \"role\": \"leader\", \"state\": \"running\","
          + " \"api_url\": \"http://127.0.0.1:9008/patroni\", \"host\": \"127.0.0.1\","
          + " \"port\": 9005, \"timeline\": 2}, {\"name\": \"db-1\", \"role\": \"replica\","
          + " \"state\": \"streaming\", \"api_url\": \"http://127.0.0.1:9007/patroni\","
          + " \"host\": \"127.0.0.1\", \"port\": 9004, \"timeline\": 2,"
          + " \"tags\": {\"nofailover\": false}, \"lag\": 1632}], \"scope\": \"scale\"}";

  private static final String STATS =
      "# pxname,svname,qcur,qmax,scur,smax,slim,stot,bin,bout,dreq,dresp,ereq,econ,eresp,wretr,"
          + "wredis,status,weight,act,bck,chkfail,chkdown,lastchg,downtime,qlimit,pid,iid,sid,"
          + "throttle,lbtot,tracked,type,rate,rate_lim,rate_max,check_status,check_code,"
          + "check_duration,hrsp_1xx,hrsp_2xx,hrsp_3xx,hrsp_4xx,hrsp_5xx,\n"
          + "scale,FRONTEND,,,0,3,2000,440,1,2,0,0,0,,,,,OPEN,,,,,,,,,1,2,0,,,,0,1,0,3,,,,0,400,0,0,40,\n"
          + "replicas,web-1,0,0,0,1,,200,1,2,,0,,3,2,1,0,DOWN,1,1,0,4,1,9,9,,1,3,1,,200,,2,0,,2,L4CON,,0,0,199,0,0,1,\n"
          + "replicas,web-2,0,0,0,1,,200,1,2,,0,,0,0,0,0,UP,1,1,0,0,0,9,0,,1,3,2,,200,,2,0,,2,L7OK,200,1,0,200,0,0,0,\n"
          + "replicas,BACKEND,0,0,0,1,200,400,1,2,0,0,,3,2,1,0,UP,2,2,0,,0,9,0,,1,3,0,,400,,1,0,,3,,,,0,399,0,0,1,\n"
          + "stats,FRONTEND,,,1,1,2000,5,0,0,0,0,0,,,,,OPEN,,,,,,,,,1,4,0,,,,0,0,0,1,,,,0,4,0,0,0,\n";

  @Test
  void readsEachDatabaseMembersRoleTimelineAndLag() {
    List<FleetStatus.DbMember> members = FleetStatus.patroniCluster(CLUSTER);

    assertThat(members)
        .containsExactly(
            new FleetStatus.DbMember("db-2", "leader", "running", 2, null),
            new FleetStatus.DbMember("db-1", "replica", "streaming", 2, 1632L));
    assertThat(members.get(0).primary()).isTrue();
    assertThat(members.get(1).primary()).isFalse();
  }

  @Test
  void anUnknownLagIsNoFigureAndNoMembersIsEmpty() {
    assertThat(
            FleetStatus.patroniCluster(
                "{\"members\": [{\"name\": \"db-1\", \"role\": \"replica\", \"state\":"
                    + " \"stopped\", \"lag\": \"unknown\"}]}"))
        .containsExactly(new FleetStatus.DbMember("db-1", "replica", "stopped", 0, null));
    assertThat(FleetStatus.patroniCluster("{\"scope\": \"scale\"}")).isEmpty();
  }

  @Test
  void readsEachBackendsStateAndErrorsByTheHeadersFieldNames() {
    assertThat(FleetStatus.haproxyBackends(STATS, "replicas"))
        .containsExactly(
            new FleetStatus.Backend("web-1", false, 3, 2),
            new FleetStatus.Backend("web-2", true, 0, 0));
    assertThat(FleetStatus.haproxyFrontend5xx(STATS, "scale")).isEqualTo(40);
    assertThat(FleetStatus.haproxyFrontend5xx(STATS, "nothing")).isZero();
  }

  @Test
  void recentErrorsAreTheIncreaseWithinTheSpan() {
    FleetStatus.RecentErrors recent = new FleetStatus.RecentErrors(java.time.Duration.ofSeconds(5));

    assertThat(recent.add(0, java.util.Map.of("web-1", 10L))).containsEntry("web-1", 0L);
    assertThat(recent.add(2_000, java.util.Map.of("web-1", 13L))).containsEntry("web-1", 3L);
    assertThat(recent.add(4_000, java.util.Map.of("web-1", 20L))).containsEntry("web-1", 10L);
    // the sample at 0 s is older than 5 s now: counted from the one at 2 s
    assertThat(recent.add(6_500, java.util.Map.of("web-1", 20L))).containsEntry("web-1", 7L);
    assertThat(recent.add(12_000, java.util.Map.of("web-1", 20L))).containsEntry("web-1", 0L);
    // HAProxy restarted: its counters start again from zero
    assertThat(recent.add(13_000, java.util.Map.of("web-1", 2L))).containsEntry("web-1", 2L);
  }

  private static FleetStatus.DbMember leader(String name, long timeline) {
    return new FleetStatus.DbMember(name, "leader", "running", timeline, null);
  }

  private static FleetStatus.DbMember replica(String name, long timeline) {
    return new FleetStatus.DbMember(name, "replica", "streaming", timeline, 0L);
  }

  @Test
  void aNewLeaderAfterTheFirstIsAPromotionAtItsObservation() {
    FleetStatus.LeaderWatch watch = new FleetStatus.LeaderWatch();

    // the first leader seen is the baseline, not a promotion
    assertThat(
            watch.observe(1_000, List.of(leader("scale-experimental-db-1", 1), replica("db-2", 1))))
        .isEmpty();
    assertThat(watch.observe(1_500, List.of(leader("scale-experimental-db-1", 1)))).isEmpty();
    // a failover under way: no leader, then Patroni unreachable
    assertThat(watch.observe(2_000, List.of(replica("scale-experimental-db-2", 1)))).isEmpty();
    assertThat(watch.observe(2_500, List.of())).isEmpty();
    // Patroni names the new leader while its timeline is still the old one
    assertThat(watch.observe(3_000, List.of(leader("scale-experimental-db-2", 1))))
        .containsExactly(new FleetStatus.Promotion(3_000, "db-2", 1));
    // the timeline catching up amends that promotion, its time stays
    assertThat(watch.observe(3_500, List.of(leader("scale-experimental-db-2", 2))))
        .containsExactly(new FleetStatus.Promotion(3_000, "db-2", 2));
    // Patroni unreachable once is no evidence of a lost leader
    assertThat(watch.observe(3_700, List.of())).hasSize(1);
    assertThat(watch.observe(4_000, List.of(leader("scale-experimental-db-2", 2)))).hasSize(1);
    // the same member taking the leader key again after a gap, on a newer timeline
    watch.observe(4_500, List.of(replica("scale-experimental-db-2", 2)));
    assertThat(watch.observe(5_000, List.of(leader("scale-experimental-db-2", 3))))
        .endsWith(new FleetStatus.Promotion(5_000, "db-2", 3))
        .hasSize(2);
    // the old primary leading again on its old timeline (the new one rewound away)
    assertThat(watch.observe(6_000, List.of(leader("scale-experimental-db-1", 1))))
        .endsWith(new FleetStatus.Promotion(6_000, "db-1", 1))
        .hasSize(3);
  }
}

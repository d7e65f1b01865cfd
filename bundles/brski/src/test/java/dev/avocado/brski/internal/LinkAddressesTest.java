package dev.avocado.brski.internal;

import static org.junit.Assert.assertEquals;

import java.net.InetAddress;
import java.util.List;
import org.junit.Test;

public class LinkAddressesTest {

    @Test
    public void browsesOneAddressOfEachFamilyOnLinksThatCarryMulticastIpv4First() throws Exception {
        InetAddress lo = InetAddress.getByName("127.0.0.1");
        InetAddress v6 = InetAddress.getByName("fe80::5054:ff:fe12:3456");
        InetAddress v6global = InetAddress.getByName("2001:db8::20");
        InetAddress eth = InetAddress.getByName("10.77.0.20");
        InetAddress eth2 = InetAddress.getByName("10.77.0.21");
        InetAddress wlan = InetAddress.getByName("192.168.1.7");
        List<LinkAddresses.Link> links = List.of(
                new LinkAddresses.Link("lo", true, true, false, false, List.of(lo)),
                new LinkAddresses.Link("ens4", true, false, true, false, List.of(v6global, v6, eth, eth2)),
                new LinkAddresses.Link("wlan0", true, false, true, false, List.of(wlan)),
                new LinkAddresses.Link("eth1", false, false, true, false, List.of(InetAddress.getByName("10.9.9.9"))),
                new LinkAddresses.Link("wg0", true, false, true, true, List.of(InetAddress.getByName("10.8.8.8"))),
                new LinkAddresses.Link("dummy0", true, false, false, false, List.of(InetAddress.getByName("10.7.7.7"))));
        assertEquals(List.of(eth, wlan, v6), LinkAddresses.of(links));
    }

    @Test
    public void noLinkNoAddress() {
        assertEquals(List.of(), LinkAddresses.of(List.of(
                new LinkAddresses.Link("lo", true, true, true, false, List.of()))));
    }
}

#!/bin/sh
# Run in the device image's virtual machine by systemd (kernel command line systemd.run=), from the second
# disk: installs avocado-registrar.deb with apt, gives the service its PKI and console password, starts it
# with systemctl, and says what systemd and the service say. The image's root is read-only (squashfs):
# /etc, /usr and /var get a tmpfs overlay first, as a disk that apt may write would give them.
exec > /dev/ttyS0 2>&1
set -u
say() { echo "PKGTEST $*"; }
fail() { say "FAILED: $*"; sleep 600; exit 1; }
cd /mnt || fail "no /mnt"
# systemd.run= makes this script the boot's goal: the network (systemd-networkd) is started here
systemctl start --no-block systemd-networkd.service
i=0
until ip -4 -o addr show scope global | grep -q inet; do
    i=$((i + 1))
    [ $i -lt 120 ] || fail "no IPv4 address after 120 s"
    sleep 1
done
# the overlay hides the machine ID systemd mounted over the read-only /etc/machine-id: it is written again
machine_id=$(cat /etc/machine-id)
modprobe overlay || fail "no overlay module"
for d in etc usr var; do
    mkdir -p "/run/overlay/$d/upper" "/run/overlay/$d/work"
    mount -t overlay overlay -o "lowerdir=/$d,upperdir=/run/overlay/$d/upper,workdir=/run/overlay/$d/work" "/$d" || fail "overlay on /$d"
done
echo "$machine_id" > /etc/machine-id
say "apt install ./avocado-registrar.deb"
cp avocado-registrar.deb /tmp/
apt-get install -y --no-install-recommends /tmp/avocado-registrar.deb || fail "apt-get install"
id avocado-registrar && say "user: $(id avocado-registrar)"
say "state: $(stat -c '%A %U %G' /var/lib/avocado-registrar)"
cp -r pki /var/lib/avocado-registrar/pki
chown -R avocado-registrar:avocado-registrar /var/lib/avocado-registrar/pki
printf 'bind = 0.0.0.0\nno-dns-sd = true\n' >> /etc/avocado/registrar.conf
install -m 600 -o avocado-registrar console-password /tmp/console-password
runuser -u avocado-registrar -- avocado-registrar console-password --pki /var/lib/avocado-registrar/pki \
    --password-file /tmp/console-password || fail "console-password"
say "systemctl start avocado-registrar"
systemctl start avocado-registrar || fail "systemctl start"
i=0
until busybox wget -q -O /tmp/metrics http://127.0.0.1:9445/metrics; do
    i=$((i + 1))
    [ $i -lt 240 ] || { journalctl -u avocado-registrar --no-pager | tail -30; fail "no /metrics after 240 s"; }
    sleep 1
done
say "active: $(systemctl is-active avocado-registrar)"
say "unit: $(systemctl show avocado-registrar -p User -p NoNewPrivileges -p ProtectSystem -p ProtectHome -p PrivateTmp | tr '\n' ' ')"
say "process user: $(stat -c %U "/proc/$(systemctl show -p MainPID --value avocado-registrar)")"
say "metrics: served"
say "address: $(ip -4 -o addr show scope global | awk '{print $2, $4}' | tr '\n' ' ')"
say "listening: $(ss -ltn | awk 'NR > 1 {print $4}' | tr '\n' ' ')"
journalctl -u avocado-registrar --no-pager -o cat | sed 's/^/PKGTEST journal: /'
say "READY"
sleep 900

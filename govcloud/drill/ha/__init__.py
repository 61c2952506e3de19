"""The HA stack the drills run on (高可用栈): etcd (DCS), Patroni, HAProxy, and Patroni's install."""

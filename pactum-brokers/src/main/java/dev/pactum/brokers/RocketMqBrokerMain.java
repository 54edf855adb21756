package dev.pactum.brokers;

import org.apache.rocketmq.broker.BrokerController;
import org.apache.rocketmq.common.BrokerConfig;
import org.apache.rocketmq.common.MQVersion;
import org.apache.rocketmq.common.MixAll;
import org.apache.rocketmq.common.namesrv.NamesrvConfig;
import org.apache.rocketmq.namesrv.NamesrvController;
import org.apache.rocketmq.remoting.netty.NettyClientConfig;
import org.apache.rocketmq.remoting.netty.NettyServerConfig;
import org.apache.rocketmq.remoting.protocol.RemotingCommand;
import org.apache.rocketmq.store.config.MessageStoreConfig;

import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

/**
 * The main class of the child JVM that {@link RocketMqBroker} starts: a RocketMQ name server and one broker
 * (master, id 0) in one process, from RocketMQ's own Maven Central jars ({@code rocketmq-namesrv},
 * {@code rocketmq-broker}), until killed.
 *
 * <p>Arguments: the name server's port, then a properties file applied to the broker's {@link BrokerConfig} and
 * {@link MessageStoreConfig} the way {@code mqbroker -c} applies its file ({@link MixAll#properties2Object}: each
 * key is a setter's name), so the launcher's settings are RocketMQ's own names.
 */
public final class RocketMqBrokerMain {
    private RocketMqBrokerMain() {
    }

    public static void main(String[] args) throws Exception {
        // Never outlive the test JVM, even one killed without running its shutdown hooks.
        ProcessHandle.current().parent().ifPresent(p -> p.onExit().thenRun(() -> Runtime.getRuntime().halt(0)));
        // mqnamesrv and mqbroker set this before anything else; without it every request says version 0 and the
        // name server reads the broker's registration as a pre-3.0.11 one: no topic is ever routed.
        System.setProperty(RemotingCommand.REMOTING_VERSION_KEY, Integer.toString(MQVersion.CURRENT_VERSION));
        int namesrvPort = Integer.parseInt(args[0]);
        Properties props = new Properties();
        try (Reader r = Files.newBufferedReader(Path.of(args[1]))) {
            props.load(r);
        }
        String root = props.getProperty("storePathRootDir");

        NamesrvConfig namesrvConfig = new NamesrvConfig();
        namesrvConfig.setKvConfigPath(Path.of(root, "namesrv", "kvConfig.json").toString());
        namesrvConfig.setConfigStorePath(Path.of(root, "namesrv", "namesrv.properties").toString());
        NettyServerConfig namesrvNetty = new NettyServerConfig();
        namesrvNetty.setListenPort(namesrvPort);
        namesrvNetty.setServerWorkerThreads(2);
        namesrvNetty.setServerSelectorThreads(1);
        NamesrvController namesrv = new NamesrvController(namesrvConfig, namesrvNetty, new NettyClientConfig());
        if (!namesrv.initialize()) {
            throw new IllegalStateException("the RocketMQ name server did not initialize");
        }
        namesrv.start();

        BrokerConfig brokerConfig = new BrokerConfig();
        MessageStoreConfig storeConfig = new MessageStoreConfig();
        NettyServerConfig brokerNetty = new NettyServerConfig();
        MixAll.properties2Object(props, brokerConfig);
        MixAll.properties2Object(props, storeConfig);
        brokerNetty.setListenPort(brokerConfig.getListenPort());
        brokerNetty.setServerWorkerThreads(2);
        brokerNetty.setServerSelectorThreads(1);
        BrokerController broker = new BrokerController(brokerConfig, brokerNetty, new NettyClientConfig(), storeConfig);
        if (!broker.initialize()) {
            throw new IllegalStateException("the RocketMQ broker did not initialize (see the log under " + root + ")");
        }
        broker.start();
        System.out.println("rocketmq ready: namesrv 127.0.0.1:" + namesrvPort + ", broker 127.0.0.1:"
                + brokerConfig.getListenPort());
        Thread.currentThread().join();
    }
}
